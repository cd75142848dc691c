using System.Net.Sockets;
using Npgsql;

namespace TcpMsg.Storage.Postgres;

/// <summary>Sorts Npgsql's and PostgreSQL's errors into the failures an operator can act on.</summary>
internal static class PostgresErrors
{
    /// <summary>True for the exceptions a store call can meet when PostgreSQL fails or goes away.</summary>
    public static bool IsStoreError(Exception ex) => ex is NpgsqlException or InvalidOperationException or IOException or SocketException or TimeoutException;

    public static StoreException Translate(Exception ex, string display, string doing)
    {
        if (ex is StoreException store)
        {
            return store;
        }

        var (failure, what) = ex switch
        {
            PostgresException pg => pg.SqlState switch
            {
                // https://www.postgresql.org/docs/current/errcodes-appendix.html
                "53100" => (StoreFailure.DiskFull, "the disk of the database server is full"),
                "25006" => (StoreFailure.ReadOnly, "the database is read-only (a standby, or default_transaction_read_only)"),
                "28P01" or "28000" => (StoreFailure.CannotOpen, $"authentication failed ({pg.MessageText}); give the password in a password file, PGPASSWORD or ~/.pgpass"),
                "3D000" => (StoreFailure.CannotOpen, $"{pg.MessageText}; create it first (createdb)"),
                "57P01" or "57P02" or "57P03" => (StoreFailure.IoError, $"the database server is shutting down or starting ({pg.MessageText})"),
                "40P01" or "55P03" => (StoreFailure.Locked, pg.MessageText),
                _ => (StoreFailure.Other, pg.MessageText),
            },
            // Npgsql's own: "No password has been provided but the backend requires one".
            NpgsqlException { InnerException: null } npgsql when npgsql.Message.Contains("password", StringComparison.OrdinalIgnoreCase) =>
                (StoreFailure.CannotOpen, $"authentication failed ({npgsql.Message.TrimEnd('.')}); give the password in a password file, PGPASSWORD or ~/.pgpass"),
            NpgsqlException { InnerException: SocketException socket } => (StoreFailure.CannotOpen, $"cannot connect: {socket.Message}"),
            NpgsqlException { InnerException: TimeoutException } or TimeoutException => (StoreFailure.CannotOpen, "cannot connect: timed out"),
            NpgsqlException { InnerException: IOException io } => (StoreFailure.IoError, $"the connection was lost: {io.Message}"),
            _ => (StoreFailure.Other, ex.Message),
        };
        return new StoreException(failure, $"{doing} {display}: {what}", ex);
    }
}

using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace TcpMsg.Storage.Internal;

/// <summary>Binding a string as UTF-8 without a new array each time, and SQLite's result codes as exceptions, for the raw API.</summary>
internal static class SqliteText
{
    /// <summary>Binds <paramref name="value"/> as UTF-8 text (SQLite copies it), or NULL.</summary>
    public static void Bind(sqlite3_stmt statement, int index, string? value)
    {
        if (value is null)
        {
            raw.sqlite3_bind_null(statement, index);
            return;
        }

        var needed = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (needed <= 512)
        {
            Span<byte> small = stackalloc byte[512];
            raw.sqlite3_bind_text(statement, index, small[..Encoding.UTF8.GetBytes(value, small)]);
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(needed);
        try
        {
            raw.sqlite3_bind_text(statement, index, rented.AsSpan(0, Encoding.UTF8.GetBytes(value, rented)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Throws the connection's error when <paramref name="result"/> is not <paramref name="expected"/>.</summary>
    public static void Check(sqlite3 db, int result, int expected = raw.SQLITE_OK)
    {
        if (result != expected)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), result, raw.sqlite3_extended_errcode(db));
        }
    }
}

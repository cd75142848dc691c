using System.Runtime.InteropServices;
using System.Text;

namespace TcpMsg.Storage.Internal;

/// <summary>
/// The calls the writer makes per row, straight to the SQLite library that SQLitePCLRaw loads
/// (e_sqlite3, the same library and so the same connection objects), on the statement's raw handle.
/// Through SQLitePCLRaw each call takes and releases the statement's SafeHandle (about a tenth of the
/// server's CPU at full ingest, with the connection's mutex, in the profile in bench/analysis.md);
/// the writer keeps its statements alive itself. Binding is a copy into SQLite (SQLITE_TRANSIENT):
/// the batch's bytes may move with the GC before the statement runs.
/// </summary>
internal sealed partial class MessageWriter
{
    private static class Native
    {
        private const string Library = "e_sqlite3";

        // SQLITE_TRANSIENT: SQLite copies the value before the call returns.
        private static readonly nint s_transient = -1;

        // One byte to point at for an empty text: a null pointer would bind NULL.
        private static readonly byte[] s_empty = [0];

        // A bind fails only for an index the statement does not have or without memory; the
        // statement's step then fails too, and that is what is checked (as with SQLitePCLRaw's binds).
        public static void BindText(nint statement, int index, ReadOnlySpan<byte> text) =>
            _ = text.IsEmpty
                ? sqlite3_bind_text(statement, index, ref s_empty[0], 0, s_transient)
                : sqlite3_bind_text(statement, index, ref MemoryMarshal.GetReference(text), text.Length, s_transient);

        public static void BindBlob(nint statement, int index, ReadOnlySpan<byte> bytes) =>
            _ = bytes.IsEmpty
                ? sqlite3_bind_blob(statement, index, ref s_empty[0], 0, s_transient)
                : sqlite3_bind_blob(statement, index, ref MemoryMarshal.GetReference(bytes), bytes.Length, s_transient);

        public static void BindInt64(nint statement, int index, long value) => _ = sqlite3_bind_int64(statement, index, value);

        public static void BindNull(nint statement, int index) => _ = sqlite3_bind_null(statement, index);

        /// <summary>Resets the statement to run again; its result repeats the step's, which was checked.</summary>
        public static void Reset(nint statement) => _ = sqlite3_reset(statement);

        [DllImport(Library, EntryPoint = "sqlite3_step")]
        public static extern int Step(nint statement);

        [DllImport(Library, EntryPoint = "sqlite3_reset")]
        private static extern int sqlite3_reset(nint statement);

        // The bind calls are short, never block and call nothing back: no GC transition needed.
        [DllImport(Library, EntryPoint = "sqlite3_bind_int64")]
        [SuppressGCTransition]
        private static extern int sqlite3_bind_int64(nint statement, int index, long value);

        [DllImport(Library, EntryPoint = "sqlite3_bind_null")]
        [SuppressGCTransition]
        private static extern int sqlite3_bind_null(nint statement, int index);

        [DllImport(Library, EntryPoint = "sqlite3_bind_text")]
        [SuppressGCTransition]
        private static extern int sqlite3_bind_text(nint statement, int index, ref byte text, int length, nint destructor);

        [DllImport(Library, EntryPoint = "sqlite3_bind_blob")]
        [SuppressGCTransition]
        private static extern int sqlite3_bind_blob(nint statement, int index, ref byte bytes, int length, nint destructor);
    }

    /// <summary>The UTF-8 bytes of the last string asked for: the messages of a batch share their client id and sender.</summary>
    private sealed class Utf8Cache
    {
        private string? _text;
        private byte[] _bytes = new byte[64];
        private int _length;

        public ReadOnlySpan<byte> Of(string text)
        {
            if (!ReferenceEquals(text, _text))
            {
                var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
                if (needed > _bytes.Length)
                {
                    _bytes = new byte[needed];
                }

                _length = Encoding.UTF8.GetBytes(text, _bytes);
                _text = text;
            }

            return _bytes.AsSpan(0, _length);
        }
    }
}

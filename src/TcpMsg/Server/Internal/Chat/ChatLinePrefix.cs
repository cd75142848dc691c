using System.Buffers;
using System.Globalization;
using System.Text;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// The start of a plain-mode message line, <c>[14:03:07] bob> </c> (the server's local time, the
/// name escaped), remembered for the last second and name asked: the messages of one batch share
/// both, so the time is formatted and the name encoded once per batch, not once per message. One
/// per thread that makes lines (the relay; each store page read).
/// </summary>
internal sealed class ChatLinePrefix
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64);
    private long _second = long.MinValue;
    private string? _name;
    private byte[] _prefix = [];

    public ReadOnlySpan<byte> For(DateTimeOffset time, string name)
    {
        var second = time.UtcTicks / TimeSpan.TicksPerSecond;
        if (second != _second || !ReferenceEquals(name, _name) && name != _name)
        {
            _buffer.ResetWrittenCount();
            var local = TimeZoneInfo.ConvertTime(time, TimeZoneInfo.Local);
            Encoding.UTF8.GetBytes(local.ToString("[HH:mm:ss] ", CultureInfo.InvariantCulture), _buffer);
            TerminalText.WriteEscaped(_buffer, name);
            _buffer.Write("> "u8);
            _prefix = _buffer.WrittenSpan.ToArray();
            _second = second;
            _name = name;
        }

        return _prefix;
    }
}

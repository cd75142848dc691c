using System.Buffers;
using TcpMsg.Server;

namespace TcpMsg.Cli.Output;

/// <summary>Turns server events into standard-output bytes.</summary>
internal interface IEventFormatter
{
    /// <summary>Writes the event's line(s), if this format shows it; returns whether anything was written.</summary>
    bool Write(ServerEvent serverEvent, IBufferWriter<byte> output);
}

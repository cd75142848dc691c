using System.Buffers;
using TcpMsg.Server;

namespace TcpMsg.Cli.Output;

/// <summary>Turns server events into standard-output bytes.</summary>
internal interface IEventFormatter
{
    /// <summary>Writes the event's line(s), if this format shows it; returns whether anything was written.</summary>
    bool Write(ServerEvent serverEvent, IBufferWriter<byte> output);

    /// <summary>Writes a received message read in place, from its UTF-8 text; returns whether anything was written.</summary>
    bool Write(in ReceivedMessageView message, IBufferWriter<byte> output);
}

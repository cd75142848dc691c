namespace TcpMsg.Bench.Load;

/// <summary>How a stalled connection of the stress scenario holds on to the server, and which of its limits ends it.</summary>
internal enum StallKind
{
    /// <summary>Connects and sends nothing: only the idle timeout ends it.</summary>
    Silent,

    /// <summary>Slow-loris: dribbles a line one byte a second and never ends it: the message timeout.</summary>
    Dribble,

    /// <summary>The start of a TLS ClientHello on a plain port, then nothing: an unfinished line, the message timeout.</summary>
    Garbage,

    /// <summary>The confirmed-mode preamble and no HELLO: the handshake timeout.</summary>
    Preamble,
}

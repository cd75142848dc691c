using System.Buffers;
using TcpMsg.Protocol.Internal;

namespace TcpMsg.Protocol;

/// <summary>WELCOME: the server accepts the client and says what it already has from it.</summary>
/// <param name="Version">The protocol version the server speaks.</param>
/// <param name="LastSequence">The highest sequence stored for this client id; 0 when none.</param>
/// <param name="MaxMessageSize">The largest message text accepted, in bytes.</param>
/// <param name="Capabilities">Capability bits (<see cref="ProtocolCapabilities"/>).</param>
/// <param name="ChatName">The client's name in the chat room, when it joined one; else null.</param>
/// <param name="IdleTimeout">A client that sends nothing for this long is disconnected; zero when never.</param>
internal sealed record WelcomeFrame(byte Version, long LastSequence, int MaxMessageSize, uint Capabilities = 0, string? ChatName = null, TimeSpan IdleTimeout = default)
{
    private const byte VersionTag = 0x01;
    private const byte LastSequenceTag = 0x02;
    private const byte MaxMessageSizeTag = 0x03;
    private const byte CapabilitiesTag = 0x04;
    private const byte ChatNameTag = 0x05;
    private const byte IdleTimeoutTag = 0x06;

    /// <summary>Writes the whole frame, header included.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        var fields = new ArrayBufferWriter<byte>(32);
        FieldList.Write(fields, VersionTag, [Version]);
        FieldList.WriteUInt64(fields, LastSequenceTag, (ulong)LastSequence);
        FieldList.WriteUInt32(fields, MaxMessageSizeTag, (uint)MaxMessageSize);
        FieldList.WriteUInt32(fields, CapabilitiesTag, Capabilities);
        if (ChatName is not null)
        {
            FieldList.Write(fields, ChatNameTag, ChatName);
        }

        if (IdleTimeout > TimeSpan.Zero)
        {
            FieldList.WriteUInt32(fields, IdleTimeoutTag, (uint)Math.Clamp(Math.Ceiling(IdleTimeout.TotalSeconds), 1, uint.MaxValue));
        }

        FieldList.WriteFrame(output, FrameType.Welcome, fields);
    }

    /// <summary>Parses a WELCOME payload.</summary>
    /// <exception cref="ProtocolException">A field is malformed or a required one is missing.</exception>
    public static WelcomeFrame Parse(in ReadOnlySequence<byte> payload)
    {
        var reader = new SequenceReader<byte>(payload);
        byte version = 0;
        long lastSequence = 0;
        var maxMessageSize = -1;
        uint capabilities = 0;
        string? chatName = null;
        var idleTimeout = TimeSpan.Zero;
        while (FieldList.TryRead(ref reader, FrameType.Welcome, out var tag, out var value))
        {
            switch (tag)
            {
                case VersionTag:
                    version = FieldList.ReadByte(value, FrameType.Welcome, tag);
                    break;
                case LastSequenceTag:
                    var last = FieldList.ReadUInt64(value, FrameType.Welcome, tag);
                    lastSequence = last <= long.MaxValue ? (long)last : throw new ProtocolException(ProtocolErrorCode.Protocol, "WELCOME last sequence out of range");
                    break;
                case MaxMessageSizeTag:
                    var max = FieldList.ReadUInt32(value, FrameType.Welcome, tag);
                    maxMessageSize = max <= int.MaxValue ? (int)max : throw new ProtocolException(ProtocolErrorCode.Protocol, "WELCOME maximum size out of range");
                    break;
                case CapabilitiesTag:
                    capabilities = FieldList.ReadUInt32(value, FrameType.Welcome, tag);
                    break;
                case ChatNameTag:
                    chatName = FieldList.ReadText(value, FrameType.Welcome, tag);
                    break;
                case IdleTimeoutTag:
                    idleTimeout = TimeSpan.FromSeconds(FieldList.ReadUInt32(value, FrameType.Welcome, tag));
                    break;
            }
        }

        if (maxMessageSize <= 0)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, "WELCOME needs a maximum message size");
        }

        return new WelcomeFrame(version, lastSequence, maxMessageSize, capabilities, chatName, idleTimeout);
    }
}

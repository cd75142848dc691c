using System.Buffers;
using TcpMsg.Protocol.Internal;

namespace TcpMsg.Protocol;

/// <summary>HELLO: the client says who it is. Fields as in docs/protocol.md; unknown tags are skipped.</summary>
/// <param name="Version">The protocol version the client speaks.</param>
/// <param name="ClientId">The client's id, stable across reconnects, 1-128 bytes of UTF-8.</param>
/// <param name="Capabilities">Capability bits (none defined in version 1).</param>
/// <param name="Name">A display name (chat), or null.</param>
/// <param name="Token">An access token, or null.</param>
internal sealed record HelloFrame(byte Version, string ClientId, uint Capabilities = 0, string? Name = null, byte[]? Token = null)
{
    private const byte VersionTag = 0x01;
    private const byte ClientIdTag = 0x02;
    private const byte CapabilitiesTag = 0x03;
    private const byte NameTag = 0x04;
    private const byte TokenTag = 0x05;

    /// <summary>The longest client id, in UTF-8 bytes.</summary>
    public const int MaxClientIdBytes = 128;

    /// <summary>Writes the whole frame, header included.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        var fields = new ArrayBufferWriter<byte>(64);
        FieldList.Write(fields, VersionTag, [Version]);
        FieldList.Write(fields, ClientIdTag, ClientId);
        FieldList.WriteUInt32(fields, CapabilitiesTag, Capabilities);
        if (Name is not null)
        {
            FieldList.Write(fields, NameTag, Name);
        }

        if (Token is not null)
        {
            FieldList.Write(fields, TokenTag, Token);
        }

        FieldList.WriteFrame(output, FrameType.Hello, fields);
    }

    /// <summary>Parses a HELLO payload.</summary>
    /// <exception cref="ProtocolException">A field is malformed, or the client id is missing.</exception>
    public static HelloFrame Parse(in ReadOnlySequence<byte> payload)
    {
        var reader = new SequenceReader<byte>(payload);
        byte version = 0;
        string? clientId = null;
        uint capabilities = 0;
        string? name = null;
        byte[]? token = null;
        while (FieldList.TryRead(ref reader, FrameType.Hello, out var tag, out var value))
        {
            switch (tag)
            {
                case VersionTag:
                    version = FieldList.ReadByte(value, FrameType.Hello, tag);
                    break;
                case ClientIdTag:
                    clientId = FieldList.ReadText(value, FrameType.Hello, tag);
                    break;
                case CapabilitiesTag:
                    capabilities = FieldList.ReadUInt32(value, FrameType.Hello, tag);
                    break;
                case NameTag:
                    name = FieldList.ReadText(value, FrameType.Hello, tag);
                    break;
                case TokenTag:
                    token = value.ToArray();
                    break;
            }
        }

        if (string.IsNullOrEmpty(clientId) || System.Text.Encoding.UTF8.GetByteCount(clientId) > MaxClientIdBytes)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, $"HELLO needs a client id of 1-{MaxClientIdBytes} bytes");
        }

        return new HelloFrame(version, clientId, capabilities, name, token);
    }
}

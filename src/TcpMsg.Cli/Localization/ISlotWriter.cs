using System.Buffers;

namespace TcpMsg.Cli.Localization;

/// <summary>Writes the values of a <see cref="LineTemplate"/>'s slots; a ref struct can hold the spans they come from.</summary>
internal interface ISlotWriter
{
    /// <summary>Writes slot <paramref name="slot"/>'s value.</summary>
    void Write(IBufferWriter<byte> output, int slot);
}

namespace TcpMsg.Protocol;

/// <summary>Receives the messages <see cref="PlainMessageReader.ReadLines"/> frames, as positions in its input.</summary>
internal interface ILineTarget
{
    /// <summary>One message: <paramref name="length"/> bytes at <paramref name="start"/>, line end excluded.</summary>
    void OnLine(int start, int length);
}

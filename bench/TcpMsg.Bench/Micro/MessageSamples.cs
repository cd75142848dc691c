using System.Buffers;
using System.Text;
using TcpMsg.Testing;

namespace TcpMsg.Bench.Micro;

/// <summary>Input for the micro-benchmarks: lines of UTF-8 text with Chinese characters, as a pipe would hold them.</summary>
internal static class MessageSamples
{
    public const int Lines = 1000;

    /// <summary>A message of <paramref name="size"/> bytes: ASCII and Chinese, cut at a character boundary.</summary>
    public static string Text(int size)
    {
        var text = new StringBuilder("你好,世界!!! ");
        while (Encoding.UTF8.GetByteCount(text.ToString()) < size)
        {
            text.Append("消息 message 数据 ");
        }

        var result = text.ToString();
        while (Encoding.UTF8.GetByteCount(result) > size)
        {
            result = result[..^1];
        }

        return result;
    }

    /// <summary><see cref="Lines"/> LF-terminated copies of a message of <paramref name="size"/> bytes.</summary>
    public static byte[] Stream(int size)
    {
        var line = Encoding.UTF8.GetBytes(Text(size) + "\n");
        var stream = new byte[line.Length * Lines];
        for (var i = 0; i < Lines; i++)
        {
            line.CopyTo(stream, i * line.Length);
        }

        return stream;
    }

    /// <summary>The same bytes in 4 KiB segments (the size of Kestrel's pool blocks), so lines span segments.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, int segmentSize = 4096) => SegmentedSequence.Split(bytes, segmentSize);
}

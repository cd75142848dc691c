using System.Text;
using System.Text.Unicode;
using CsCheck;
using TcpMsg.Protocol.Internal;

namespace TcpMsg.Tests.Protocol;

/// <summary>The vectorized validator (<see cref="Utf8Validation"/>) answers as <see cref="Utf8.IsValid"/> does, for any bytes.</summary>
public sealed class Utf8ValidationTests
{
    // Bytes of every class the validator tells apart: ASCII, each range of continuations, leads.
    private static readonly byte[] s_classes = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF];

    private static readonly byte[] s_ascii = Encoding.UTF8.GetBytes("plain ascii text before and after, long enough");
    private static readonly byte[] s_chinese = Encoding.UTF8.GetBytes("你好,世界!!! 消息 数据 中文 🙂 é 你好,世界");

    private static readonly Gen<byte[]> s_hostile = Gen.Frequency(
            (3, Gen.Byte),
            (3, Gen.OneOf(s_classes.Select(Gen.Const).ToArray())))
        .Array[0, 200];

    private static readonly Gen<byte[]> s_text = Gen.OneOf(
            Gen.Char['\0', '\u007F'].Select(c => c.ToString()),
            Gen.Char['\u0080', '\u07FF'].Select(c => c.ToString()),
            Gen.Char['\u0800', '\uD7FF'].Select(c => c.ToString()),
            Gen.Char['\uE000', '\uFFFF'].Select(c => c.ToString()),
            Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32))
        .Array[0, 80]
        .Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts)));

    [Fact]
    public void Every_pair_of_bytes_at_every_place_of_a_block_is_judged_as_the_runtime_judges_it()
    {
        var buffer = new byte[72];
        for (var first = 0; first < 256; first++)
        {
            for (var second = 0; second < 256; second++)
            {
                foreach (var at in new[] { 0, 1, 13, 14, 15, 16, 28, 29, 30, 31, 32, 38 })
                {
                    Fill(buffer, s_ascii);
                    buffer[at] = (byte)first;
                    buffer[at + 1] = (byte)second;
                    AssertSame(buffer);
                }
            }
        }
    }

    [Fact]
    public void Every_lead_with_every_class_of_follower_is_judged_as_the_runtime_judges_it()
    {
        var buffer = new byte[48];
        for (var lead = 0xC0; lead < 256; lead++)
        {
            foreach (var b1 in s_classes)
            {
                foreach (var b2 in s_classes)
                {
                    foreach (var b3 in s_classes)
                    {
                        foreach (var at in new[] { 0, 13, 14, 15, 28, 29, 30, 31, 44 })
                        {
                            Fill(buffer, at % 2 == 0 ? s_ascii : s_chinese);
                            buffer[at] = (byte)lead;
                            buffer[at + 1] = b1;
                            buffer[at + 2] = b2;
                            buffer[at + 3] = b3;
                            AssertSame(buffer);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Text_cut_anywhere_is_judged_as_the_runtime_judges_it()
    {
        foreach (var text in new[] { s_chinese, Encoding.UTF8.GetBytes("🙂🙂🙂🙂🙂🙂🙂🙂é中🙂"), s_ascii })
        {
            for (var from = 0; from < text.Length; from++)
            {
                for (var to = from; to <= text.Length; to++)
                {
                    AssertSame(text[from..to]);
                }
            }
        }
    }

    [Fact]
    public void Arbitrary_bytes_are_judged_as_the_runtime_judges_them()
    {
        s_hostile.Sample(AssertSame, iter: 20_000);
    }

    [Fact]
    public void Valid_text_with_a_byte_changed_is_judged_as_the_runtime_judges_it()
    {
        Gen.Select(s_text, Gen.Int, Gen.Byte).Sample(t =>
        {
            var (text, at, value) = t;
            AssertSame(text);
            Assert.True(Utf8Validation.IsValid(text));
            if (text.Length > 0)
            {
                text[(int)((uint)at % text.Length)] = value;
                AssertSame(text);
            }
        }, iter: 20_000);
    }

    private static void Fill(byte[] buffer, byte[] pattern)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = pattern[i % pattern.Length];
        }
    }

    private static void AssertSame(byte[] bytes)
    {
        var expected = Utf8.IsValid(bytes);
        if (Utf8Validation.IsValid(bytes) != expected)
        {
            Assert.Fail($"{Convert.ToHexString(bytes)}: the runtime says {(expected ? "valid" : "invalid")}");
        }
    }
}

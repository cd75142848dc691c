using System.Buffers;
using System.Text;

namespace TcpMsg.Cli.Localization;

/// <summary>
/// A localized line such as <c>{0}发来消息>>>{1}</c>, split once into UTF-8 literals and argument
/// slots so that writing a line costs no formatting and no intermediate string.
/// </summary>
internal sealed class LineTemplate
{
    private readonly byte[][] _literals;
    private readonly int[] _slots;

    private LineTemplate(byte[][] literals, int[] slots)
    {
        _literals = literals;
        _slots = slots;
    }

    /// <summary>Parses a composite format with plain <c>{N}</c> holes (no alignment or format strings).</summary>
    public static LineTemplate Parse(string format)
    {
        var literals = new List<byte[]>();
        var slots = new List<int>();
        var literal = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '{' && i + 1 < format.Length && format[i + 1] == '{')
            {
                literal.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < format.Length && format[i + 1] == '}')
            {
                literal.Append('}');
                i++;
            }
            else if (c == '{')
            {
                var close = format.IndexOf('}', i);
                if (close < 0 || !int.TryParse(format.AsSpan(i + 1, close - i - 1), out var slot))
                {
                    throw new FormatException($"Bad placeholder in template '{format}'.");
                }

                literals.Add(Encoding.UTF8.GetBytes(literal.ToString()));
                literal.Clear();
                slots.Add(slot);
                i = close;
            }
            else
            {
                literal.Append(c);
            }
        }

        literals.Add(Encoding.UTF8.GetBytes(literal.ToString()));
        return new LineTemplate([.. literals], [.. slots]);
    }

    /// <summary>The number of argument slots.</summary>
    public int SlotCount => _slots.Length;

    /// <summary>
    /// The literals of a template with exactly two slots, <paramref name="first"/> then
    /// <paramref name="second"/>: before, between and after them; false for any other template.
    /// </summary>
    public bool TryGetLiterals(int first, int second, out byte[] before, out byte[] between, out byte[] after)
    {
        var two = _slots is [var a, var b] && a == first && b == second;
        before = two ? _literals[0] : [];
        between = two ? _literals[1] : [];
        after = two ? _literals[2] : [];
        return two;
    }

    /// <summary>Writes the line (without a line end); <paramref name="writeArgument"/> writes slot N's value.</summary>
    public void Write<TState>(IBufferWriter<byte> output, TState state, Action<IBufferWriter<byte>, TState, int> writeArgument)
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            output.Write(_literals[i]);
            writeArgument(output, state, _slots[i]);
        }

        output.Write(_literals[^1]);
    }

    /// <summary>Writes the line (without a line end); <paramref name="slots"/> writes slot N's value, from spans it may hold.</summary>
    public void Write<TSlots>(IBufferWriter<byte> output, scoped ref TSlots slots)
        where TSlots : ISlotWriter, allows ref struct
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            output.Write(_literals[i]);
            slots.Write(output, _slots[i]);
        }

        output.Write(_literals[^1]);
    }
}

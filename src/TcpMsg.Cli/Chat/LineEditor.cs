using System.Text;

namespace TcpMsg.Cli.Chat;

/// <summary>
/// The line being typed in the interactive chat: the characters, the cursor, and how to draw it in
/// a terminal of a given width (scrolling sideways when it is longer than a line). Pure: keys in,
/// text out; the caller writes what <see cref="Render"/> returns.
/// </summary>
internal sealed class LineEditor
{
    private readonly List<Rune> _text = [];
    private int _cursor;
    private int _scroll;
    private char _highSurrogate;

    public string Text
    {
        get
        {
            var builder = new StringBuilder(_text.Count);
            foreach (var rune in _text)
            {
                builder.Append(rune.ToString());
            }

            return builder.ToString();
        }
    }

    public EditorAction Apply(ConsoleKeyInfo key)
    {
        var control = (key.Modifiers & ConsoleModifiers.Control) != 0;
        switch (key.Key)
        {
            case ConsoleKey.Enter:
                return EditorAction.Submit;
            case ConsoleKey.Backspace:
                return Delete(_cursor - 1);
            case ConsoleKey.Delete:
                return Delete(_cursor);
            case ConsoleKey.LeftArrow:
                return Move(_cursor - 1);
            case ConsoleKey.RightArrow:
                return Move(_cursor + 1);
            case ConsoleKey.Home:
                return Move(0);
            case ConsoleKey.End:
                return Move(_text.Count);
        }

        switch (key.KeyChar)
        {
            case '\r' or '\n':
                return EditorAction.Submit;
            case '\u0003':
                return EditorAction.Leave;
            case '\u0004':
                return _text.Count == 0 ? EditorAction.Leave : Delete(_cursor);
            case '\u0001':
                return Move(0);
            case '\u0005':
                return Move(_text.Count);
            case '\u0015':
                _text.Clear();
                return Move(0);
            case '\b' or '\u007F':
                return Delete(_cursor - 1);
        }

        return control && key.KeyChar < ' ' ? EditorAction.None : Insert(key.KeyChar);
    }

    /// <summary>Returns the line and clears it.</summary>
    public string Take()
    {
        var text = Text;
        _text.Clear();
        _cursor = 0;
        _scroll = 0;
        return text;
    }

    /// <summary>
    /// What redraws the input line in place: carriage return, prompt, the visible part of the text,
    /// erase to the end of the line, then the cursor put back where it belongs.
    /// </summary>
    public string Render(string prompt, int width)
    {
        var room = Math.Max(1, width - DisplayWidth.Of(prompt) - 1);
        _scroll = Math.Min(_scroll, _cursor);
        while (Width(_scroll, _cursor) > room)
        {
            _scroll++;
        }

        var end = _cursor;
        while (end < _text.Count && Width(_scroll, end + 1) <= room)
        {
            end++;
        }

        var builder = new StringBuilder("\r").Append(prompt);
        for (var i = _scroll; i < end; i++)
        {
            builder.Append(_text[i].ToString());
        }

        builder.Append("\u001b[K\r");
        var column = DisplayWidth.Of(prompt) + Width(_scroll, _cursor);
        if (column > 0)
        {
            builder.Append("\u001b[").Append(column).Append('C');
        }

        return builder.ToString();
    }

    private EditorAction Insert(char c)
    {
        if (char.IsHighSurrogate(c))
        {
            _highSurrogate = c;
            return EditorAction.None;
        }

        Rune rune;
        if (char.IsLowSurrogate(c))
        {
            if (_highSurrogate == '\0')
            {
                return EditorAction.None;
            }

            rune = new Rune(_highSurrogate, c);
            _highSurrogate = '\0';
        }
        else if (c < ' ' || c == '\u007F' || !Rune.TryCreate(c, out rune))
        {
            return EditorAction.None;
        }

        _text.Insert(_cursor++, rune);
        return EditorAction.Changed;
    }

    private EditorAction Delete(int index)
    {
        if (index < 0 || index >= _text.Count)
        {
            return EditorAction.None;
        }

        _text.RemoveAt(index);
        if (index < _cursor)
        {
            _cursor--;
        }

        return EditorAction.Changed;
    }

    private EditorAction Move(int cursor)
    {
        _cursor = Math.Clamp(cursor, 0, _text.Count);
        return EditorAction.Changed;
    }

    private int Width(int from, int to)
    {
        var width = 0;
        for (var i = from; i < to; i++)
        {
            width += DisplayWidth.Of(_text[i]);
        }

        return width;
    }
}

using TcpMsg.Cli.Chat;

namespace TcpMsg.Tests.Cli;

public sealed class LineEditorTests
{
    [Fact]
    public void Typing_moving_and_deleting_edit_the_line_where_the_cursor_is()
    {
        var editor = new LineEditor();

        Type(editor, "helo");
        Press(editor, ConsoleKey.LeftArrow);
        Type(editor, "l");
        Press(editor, ConsoleKey.End);
        Type(editor, " world");
        Press(editor, ConsoleKey.Home);
        Press(editor, ConsoleKey.Delete);
        Type(editor, "H");
        Press(editor, ConsoleKey.End);
        Press(editor, ConsoleKey.Backspace, '\u007F');

        Assert.Equal("Hello worl", editor.Text);
        Assert.Equal(EditorAction.Submit, editor.Apply(Key(ConsoleKey.Enter, '\r')));
        Assert.Equal("Hello worl", editor.Take());
        Assert.Equal("", editor.Text);
    }

    [Fact]
    public void Control_keys_leave_clear_or_are_ignored()
    {
        var editor = new LineEditor();

        Assert.Equal(EditorAction.Leave, editor.Apply(Key(ConsoleKey.D, '\u0004', control: true)));
        Type(editor, "abc");
        Assert.Equal(EditorAction.Changed, editor.Apply(Key(ConsoleKey.LeftArrow)));
        Assert.Equal(EditorAction.Changed, editor.Apply(Key(ConsoleKey.D, '\u0004', control: true)));
        Assert.Equal("ab", editor.Text);
        Assert.Equal(EditorAction.None, editor.Apply(Key(ConsoleKey.B, '\u0002', control: true)));
        Assert.Equal(EditorAction.None, editor.Apply(Key(ConsoleKey.Escape, '\u001b')));
        Assert.Equal(EditorAction.Changed, editor.Apply(Key(ConsoleKey.U, '\u0015', control: true)));
        Assert.Equal("", editor.Text);
        Type(editor, "not empty");
        Assert.Equal(EditorAction.Leave, editor.Apply(Key(ConsoleKey.C, '\u0003', control: true)));
    }

    [Fact]
    public void A_character_outside_the_basic_plane_arrives_in_two_halves_and_is_one_character()
    {
        var editor = new LineEditor();

        Type(editor, "a🙂b");
        Press(editor, ConsoleKey.LeftArrow);
        Press(editor, ConsoleKey.Backspace, '\b');

        Assert.Equal("ab", editor.Text);
    }

    [Fact]
    public void The_line_is_drawn_in_place_with_the_cursor_after_the_prompt_and_text()
    {
        var editor = new LineEditor();
        Type(editor, "hi");

        Assert.Equal("\rann> hi\u001b[K\r\u001b[7C", editor.Render("ann> ", 80));
        Press(editor, ConsoleKey.LeftArrow);
        Assert.Equal("\rann> hi\u001b[K\r\u001b[6C", editor.Render("ann> ", 80));
    }

    [Fact]
    public void A_line_longer_than_the_terminal_scrolls_to_keep_the_cursor_in_view()
    {
        var editor = new LineEditor();
        Type(editor, "0123456789abcdefghij");

        // Width 15, prompt of 3 columns: 11 columns for the text.
        var drawn = editor.Render("> ~", 15);

        Assert.Equal("\r> ~9abcdefghij\u001b[K\r\u001b[14C", drawn);
        Press(editor, ConsoleKey.Home);
        Assert.Equal("\r> ~0123456789a\u001b[K\r\u001b[3C", editor.Render("> ~", 15));
    }

    [Fact]
    public void Wide_characters_count_two_columns()
    {
        var editor = new LineEditor();
        Type(editor, "你好ab");

        Assert.Equal("\r> 你好ab\u001b[K\r\u001b[8C", editor.Render("> ", 80));
        Assert.Equal(2, DisplayWidth.Of(new System.Text.Rune('世')));
        Assert.Equal(0, DisplayWidth.Of(new System.Text.Rune('\u0301')));
        Assert.Equal(5, DisplayWidth.Of("e\u0301你好"));
    }

    [Theory]
    [InlineData("hello", "Message", "hello")]
    [InlineData("/nick  ann ", "Nick", "ann")]
    [InlineData("/NICK", "Nick", "")]
    [InlineData("/who", "Who", "")]
    [InlineData("/quit now", "Quit", "now")]
    [InlineData("/dance", "Help", "")]
    [InlineData("//etc", "Message", "/etc")]
    [InlineData("/ space", "Message", "/ space")]
    [InlineData("/", "Message", "/")]
    public void Typed_lines_are_commands_or_messages_as_the_server_reads_them(string line, string kind, string text) =>
        Assert.Equal(new ChatInput(Enum.Parse<ChatInputKind>(kind), text), ChatInput.Parse(line));

    private static void Type(LineEditor editor, string text)
    {
        foreach (var c in text)
        {
            editor.Apply(new ConsoleKeyInfo(c, ConsoleKey.NoName, false, false, false));
        }
    }

    private static void Press(LineEditor editor, ConsoleKey key, char c = '\0') => editor.Apply(Key(key, c));

    private static ConsoleKeyInfo Key(ConsoleKey key, char c = '\0', bool control = false) => new(c, key, false, false, control);
}

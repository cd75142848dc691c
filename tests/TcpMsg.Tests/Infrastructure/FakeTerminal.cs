using System.Collections.Concurrent;
using TcpMsg.Cli.Output;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>A terminal the test types into, key by key; what the command draws goes to the console's output.</summary>
internal sealed class FakeTerminal : ITerminal, IDisposable
{
    private readonly BlockingCollection<ConsoleKeyInfo> _keys = [];

    public int Width { get; set; } = 80;

    /// <summary>Whether Ctrl+C is a key now (true while the chat runs).</summary>
    public bool KeyMode { get; private set; }

    public ConsoleKeyInfo? ReadKey() => _keys.TryTake(out var key, Timeout.Infinite) ? key : null;

    public void SetKeyMode(bool on) => KeyMode = on;

    public void Type(string text)
    {
        foreach (var c in text)
        {
            _keys.Add(new ConsoleKeyInfo(c, ConsoleKey.NoName, false, false, false));
        }
    }

    public void Press(ConsoleKey key, char c = '\0', bool control = false) =>
        _keys.Add(new ConsoleKeyInfo(c, key, shift: false, alt: false, control));

    public void Enter() => Press(ConsoleKey.Enter, '\r');

    /// <summary>The keyboard is gone: ReadKey says so.</summary>
    public void Close() => _keys.CompleteAdding();

    public void Dispose() => _keys.Dispose();
}

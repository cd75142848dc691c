using System.Buffers;
using TcpMsg.Server;

namespace TcpMsg.Cli.Output;

/// <summary>
/// Prints the server's events: messages and disconnects (and, with verbose, the rest) on standard
/// output, buffered and written once per batch so that printing is not the bottleneck; errors as
/// one line each on standard error.
/// </summary>
internal sealed class ServerOutputSink : IServerEventSink
{
    // Write to stdout in chunks of about this size inside a large batch.
    private const int FlushThreshold = 256 * 1024;

    // A buffer grown past this by a huge message is dropped after use rather than kept.
    private const int KeepCapacity = 4 * 1024 * 1024;

    private readonly IEventFormatter _formatter;
    private readonly TextEventFormatter _text;
    private readonly ICliConsole _console;
    private readonly Action<string> _stdoutClosed;
    private ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private bool _stdoutBroken;

    public ServerOutputSink(IEventFormatter formatter, TextEventFormatter text, ICliConsole console, Action<string> stdoutClosed)
    {
        _formatter = formatter;
        _text = text;
        _console = console;
        _stdoutClosed = stdoutClosed;
    }

    /// <summary>Messages are formatted from their UTF-8 text as they came: no string or event object per message.</summary>
    public async ValueTask OnBatchAsync(ServerEventBatch batch, CancellationToken cancellationToken)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            if (!batch.IsMessage(i))
            {
                await WriteAsync(batch.GetEvent(i), cancellationToken).ConfigureAwait(false);
            }
            else if (!_stdoutBroken && _formatter.Write(batch.GetMessage(i), _buffer) && _buffer.WrittenCount >= FlushThreshold)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask OnEventsAsync(IReadOnlyList<ServerEvent> events, CancellationToken cancellationToken)
    {
        for (var i = 0; i < events.Count; i++)
        {
            await WriteAsync(events[i], cancellationToken).ConfigureAwait(false);
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteAsync(ServerEvent serverEvent, CancellationToken cancellationToken)
    {
        if (serverEvent is ConnectionError error)
        {
            await _console.Error.WriteLineAsync(_text.ErrorLine(error)).ConfigureAwait(false);
        }

        if (!_stdoutBroken && _formatter.Write(serverEvent, _buffer) && _buffer.WrittenCount >= FlushThreshold)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_buffer.WrittenCount == 0)
        {
            return;
        }

        try
        {
            await _console.Out.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await _console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // A closed pipe (`tcpmsg serve | head`): keep serving and storing, stop printing.
            _stdoutBroken = true;
            _stdoutClosed(ex.Message);
        }
        finally
        {
            if (_buffer.Capacity > KeepCapacity)
            {
                _buffer = new ArrayBufferWriter<byte>(64 * 1024);
            }
            else
            {
                _buffer.ResetWrittenCount();
            }
        }
    }
}

using System.Globalization;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Output;
using TcpMsg.Client;

namespace TcpMsg.Cli.Commands;

/// <summary>
/// What a long <c>tcpmsg send</c> is doing, on standard error when it is a terminal: messages sent and
/// acknowledged, the rate, reconnections. It appears after <see cref="s_quiet"/> (a quick send shows
/// nothing), is redrawn every <see cref="s_every"/>, and gives way to a one-line summary at the end.
/// Nothing is shown when standard error is not a terminal: scripts and logs get no carriage returns.
/// </summary>
internal sealed class SendProgress : IAsyncDisposable
{
    private static readonly TimeSpan s_quiet = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_every = TimeSpan.FromMilliseconds(500);

    private readonly StatusLine _line;
    private readonly Strings _strings;
    private readonly DeliveryStatistics _statistics;
    private readonly bool _confirmed;
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly CancellationTokenSource _stop = new();
    private Task _drawing = Task.CompletedTask;
    private bool _shown;

    private SendProgress(StatusLine line, Strings strings, DeliveryStatistics statistics, bool confirmed, TimeProvider time)
    {
        _line = line;
        _strings = strings;
        _statistics = statistics;
        _confirmed = confirmed;
        _time = time;
        _start = time.GetTimestamp();
    }

    /// <summary>Starts drawing the progress of <paramref name="statistics"/> on <paramref name="line"/>.</summary>
    public static SendProgress Start(StatusLine line, Strings strings, DeliveryStatistics statistics, bool confirmed, TimeProvider? time = null)
    {
        var progress = new SendProgress(line, strings, statistics, confirmed, time ?? TimeProvider.System);
        progress._drawing = progress.DrawAsync(progress._stop.Token);
        return progress;
    }

    /// <summary>The status as it is now: sent, acknowledged, rate, reconnections.</summary>
    public string Describe()
    {
        var elapsed = _time.GetElapsedTime(_start);
        var sent = _statistics.Sent;
        var done = _confirmed ? _statistics.Delivered : sent;
        var rate = elapsed > TimeSpan.Zero ? done / elapsed.TotalSeconds : 0;
        var text = _confirmed
            ? _strings.Format("Progress_Confirmed", N(sent), N(done), N((long)rate), Units.Duration(TimeSpan.FromSeconds(Math.Round(elapsed.TotalSeconds, 1))))
            : _strings.Format("Progress_Plain", N(sent), N((long)rate), Units.Duration(TimeSpan.FromSeconds(Math.Round(elapsed.TotalSeconds, 1))));
        return _statistics.Reconnects > 0 ? text + _strings.Format("Progress_Reconnects", N(_statistics.Reconnects)) : text;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _drawing.ConfigureAwait(false);
        _stop.Dispose();
        if (_shown)
        {
            _line.Clear();
            _line.WriteLine(Describe());
        }
    }

    private async Task DrawAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(s_quiet, _time, cancellationToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(s_every, _time);
            do
            {
                _shown = true;
                _line.Show(Describe());
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // Done.
        }
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

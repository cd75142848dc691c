using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Output;
using TcpMsg.Client;

namespace TcpMsg.Cli.Commands;

/// <summary>
/// Says on standard error that a client is retrying, and why: at the first failure, when the reason
/// changes, and every <see cref="s_every"/> while the outage lasts. Called from the client's
/// background task (<see cref="MessageClientOptions.Retrying"/>).
/// </summary>
internal sealed class RetryReporter
{
    private static readonly TimeSpan s_every = TimeSpan.FromSeconds(30);

    private readonly TextWriter _error;
    private readonly Strings _strings;
    private readonly string _command;
    private readonly string _server;
    private readonly TimeSpan _retryFor;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private long _since;
    private long _lastReport;
    private string? _lastReason;

    public RetryReporter(TextWriter error, Strings strings, string command, string server, TimeSpan retryFor, TimeProvider? time = null)
    {
        _error = error;
        _strings = strings;
        _command = command;
        _server = server;
        _retryFor = retryFor;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How many failed attempts were reported since the client last connected.</summary>
    public int Failures { get; private set; }

    public void Report(TcpMsgException failure)
    {
        string? line = null;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (Failures++ == 0)
            {
                _since = now;
                line = _strings.Format("Retry_Failing", _command, _server, failure.Message, ArgumentTextOf(_retryFor));
            }
            else if (failure.Message != _lastReason || _time.GetElapsedTime(_lastReport, now) >= s_every)
            {
                line = _strings.Format("Retry_Still", _command, _server, failure.Message, Units.Duration(_time.GetElapsedTime(_since, now)), Failures);
            }

            if (line is not null)
            {
                _lastReport = now;
                _lastReason = failure.Message;
            }
        }

        if (line is not null)
        {
            _error.WriteLine(line);
        }
    }

    /// <summary>An established connection was lost and the client reconnects: said at once, with why.</summary>
    public void Lost(TcpMsgException cause)
    {
        lock (_lock)
        {
            Failures = 1;
            _since = _lastReport = _time.GetTimestamp();
            _lastReason = cause.Message;
        }

        _error.WriteLine(_strings.Format("Retry_Lost", _command, _server, cause.Message, ArgumentTextOf(_retryFor)));
    }

    /// <summary>Reconnected after a loss or failed attempts: said with how long it took, and the next failure starts a new report.</summary>
    public void Recovered()
    {
        TimeSpan outage;
        lock (_lock)
        {
            if (Failures == 0)
            {
                return;
            }

            outage = _time.GetElapsedTime(_since);
            Failures = 0;
            _lastReason = null;
        }

        _error.WriteLine(_strings.Format("Retry_Recovered", _command, _server, Units.Duration(outage)));
    }

    /// <summary>The client is connected again: the next failure starts a new report.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            Failures = 0;
            _lastReason = null;
        }
    }

    private static string ArgumentTextOf(TimeSpan duration) => Parsing.ArgumentText.Duration(duration);
}

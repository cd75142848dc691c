using Microsoft.Extensions.Logging;
using TcpMsg.Protocol;
using TcpMsg.Storage;

namespace TcpMsg.Server.Internal;

/// <summary>The dispatcher: store, then show, then acknowledge, batch by batch.</summary>
internal sealed partial class MessagePipeline
{
    private static readonly TimeSpan s_firstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_maxRetry = TimeSpan.FromSeconds(2);

    private async Task DispatchAsync(CancellationToken token)
    {
        var reader = _channel.Reader;
        var batch = new List<ServerEvent>(MaxBatchSize);
        var messages = new List<ReceivedMessage>(MaxBatchSize);
        var visible = new List<ServerEvent>(MaxBatchSize);
        var held = new List<ServerEvent>();
        var retry = s_firstRetry;
        DateTimeOffset? failingSince = null;
        try
        {
            while (held.Count > 0 || await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                batch.Clear();
                batch.AddRange(held);
                held.Clear();
                while (batch.Count < MaxBatchSize && reader.TryRead(out var serverEvent))
                {
                    batch.Add(serverEvent);
                }

                Collect(batch, messages);
                if (!TryStore(messages, out var failure))
                {
                    failingSince ??= DateTimeOffset.UtcNow;
                    Hold(batch, held, failure!, firstFailure: retry == s_firstRetry);
                    await Task.Delay(retry, token).ConfigureAwait(false);
                    retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, s_maxRetry.Ticks));
                    continue;
                }

                if (failingSince is { } since)
                {
                    _statistics.OnStoreFailure(false);
                    LogStoreRecovered(DateTimeOffset.UtcNow - since, messages.Count);
                    failingSince = null;
                    retry = s_firstRetry;
                }

                _statistics.OnMessages(messages.Count);
                _senders.Settle(messages, _statistics, _logger);
                Visible(batch, visible);
                if (!token.IsCancellationRequested)
                {
                    await DeliverAsync(visible, token).ConfigureAwait(false);
                }

                Acknowledge(messages);
                Release(CostOf(batch));
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            var lost = held.OfType<ReceivedMessage>().Count();
            if (lost > 0)
            {
                LogLostAtShutdown(lost);
            }
        }
    }

    private bool TryStore(List<ReceivedMessage> messages, out StoreException? failure)
    {
        failure = null;
        if (_store is null || messages.Count == 0)
        {
            return true;
        }

        try
        {
            _senders.Prepare(messages);
            _store.Append(messages);
            _statistics.OnStored(messages.Count(m => !m.IsDuplicate));
            return true;
        }
        catch (StoreException ex)
        {
            failure = ex;
            return false;
        }
    }

    /// <summary>
    /// The batch could not be stored. Confirmed senders are told at once (they retry); plain messages
    /// and connection events are held, in order, and retried, so nothing plain is lost while the
    /// store recovers. Held bytes stay counted, so connections pause once the limit is reached.
    /// </summary>
    private void Hold(List<ServerEvent> batch, List<ServerEvent> held, StoreException failure, bool firstFailure)
    {
        _statistics.OnStoreFailure(true);
        if (firstFailure)
        {
            LogStoreFailed(failure.Message, failure.Failure);
        }

        long released = 0;
        foreach (var serverEvent in batch)
        {
            if (serverEvent is ReceivedMessage { AckTarget: { } target } confirmed)
            {
                target.Reject(confirmed.Sequence, ProtocolErrorCode.StoreFailed, failure.Message);
                released += Cost(confirmed);
            }
            else
            {
                held.Add(serverEvent);
            }
        }

        Release(released);
    }

    private async ValueTask DeliverAsync(List<ServerEvent> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        foreach (var sink in _sinks)
        {
            try
            {
                await sink.OnEventsAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // One failing sink must not stop the others or the server.
                LogSinkFailed(ex, sink.GetType().Name, batch.Count);
            }
        }
    }

    /// <summary>Tells each confirmed connection, once per batch, how far its messages are stored.</summary>
    private void Acknowledge(List<ReceivedMessage> messages)
    {
        // Cumulative: the last message of each connection in the batch acknowledges the earlier ones.
        _acknowledged.Clear();
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            var message = messages[i];
            if (message.AckTarget is { } target && _acknowledged.Add(target))
            {
                target.Acknowledge(message.Sequence, message.Id);
            }
        }
    }

    private static void Collect(List<ServerEvent> batch, List<ReceivedMessage> messages)
    {
        messages.Clear();
        foreach (var serverEvent in batch)
        {
            if (serverEvent is ReceivedMessage message)
            {
                messages.Add(message);
            }
        }
    }

    /// <summary>What users see is what is stored: duplicates were stored before, and are not shown again.</summary>
    private static void Visible(List<ServerEvent> batch, List<ServerEvent> visible)
    {
        visible.Clear();
        foreach (var serverEvent in batch)
        {
            if (serverEvent is not ReceivedMessage { IsDuplicate: true } and not ReceivedMessage { IsRefused: true })
            {
                visible.Add(serverEvent);
            }
        }
    }

    private static long CostOf(List<ServerEvent> batch)
    {
        long bytes = 0;
        foreach (var serverEvent in batch)
        {
            bytes += Cost(serverEvent);
        }

        return bytes;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Event sink {Sink} failed on a batch of {Count} events")]
    private partial void LogSinkFailed(Exception exception, string sink, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "store failed ({Failure}): {Reason}; holding plain messages and retrying, confirmed senders are told to retry")]
    private partial void LogStoreFailed(string reason, StoreFailure failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "store recovered after {Duration}; {Count} held messages stored")]
    private partial void LogStoreRecovered(TimeSpan duration, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} messages could not be stored before shutdown and were lost")]
    private partial void LogLostAtShutdown(int count);
}

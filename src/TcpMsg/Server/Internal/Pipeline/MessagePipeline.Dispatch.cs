using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TcpMsg.Protocol;
using TcpMsg.Storage;

namespace TcpMsg.Server.Internal;

/// <summary>The dispatcher: store, then show, then acknowledge, batch by batch.</summary>
internal sealed partial class MessagePipeline
{
    // Bytes per dispatch (one transaction): large lines make large transactions, and the store's
    // write-ahead log grows by a whole transaction past its bound before it can start again; a
    // megabyte keeps that small and is many thousand 100-byte messages.
    private const long MaxBatchBytes = 1024 * 1024;

    private static readonly TimeSpan s_firstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_maxRetry = TimeSpan.FromSeconds(2);

    private async Task DispatchAsync(CancellationToken token)
    {
        // Two stages: this one stores batch N + 1 while the delivery stage shows and acknowledges
        // batch N, so the commit and the output overlap. One batch waits between them at most;
        // the delivery stage takes them in order, so the sinks and the acks see commit order.
        var committed = Channel.CreateBounded<Dispatched>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var free = new Queue<Dispatched>([new Dispatched(), new Dispatched(), new Dispatched()]);
        var delivery = Task.Run(() => DeliverStageAsync(committed.Reader, free, token), CancellationToken.None);
        var reader = _channel.Reader;
        var messages = new List<PendingMessage>(MaxBatchSize);
        var held = new List<PipelineItem>();
        var retry = s_firstRetry;
        DateTimeOffset? failingSince = null;
        try
        {
            while (held.Count > 0 || await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                Dispatched next;
                lock (free)
                {
                    // Three sets for one batch in each stage and one between: never empty here.
                    next = free.Dequeue();
                }

                var items = next.Items;
                items.Clear();
                items.AddRange(held);
                held.Clear();
                var count = 0;
                var bytes = CostOf(items);
                while (count < MaxBatchSize && bytes < MaxBatchBytes && reader.TryRead(out var item))
                {
                    items.Add(item);
                    count += item.Messages?.Count ?? 1;
                    bytes += Cost(item);
                }

                RefuseAfterStoreFailure(items);
                var received = Collect(items, messages);
                if (!TryStore(messages, out var failure))
                {
                    failingSince ??= DateTimeOffset.UtcNow;
                    Hold(items, held, failure!, firstFailure: retry == s_firstRetry);
                    items.Clear();
                    lock (free)
                    {
                        free.Enqueue(next);
                    }

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

                _statistics.OnMessages(received);
                _senders.Settle(messages, _statistics, _logger);
                messages.Clear();
                await committed.Writer.WriteAsync(next, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            var lost = held.Sum(item => item.Messages?.Count ?? 0);
            if (lost > 0)
            {
                LogLostAtShutdown(lost);
            }
        }
        finally
        {
            committed.Writer.TryComplete();
            await delivery.ConfigureAwait(false);
        }
    }

    /// <summary>The second stage: each committed batch to the sinks in order, then its acknowledgements, then its bytes back.</summary>
    private async Task DeliverStageAsync(ChannelReader<Dispatched> committed, Queue<Dispatched> free, CancellationToken token)
    {
        await foreach (var next in committed.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            var items = next.Items;
            Visible(items, next.Visible);
            if (!token.IsCancellationRequested)
            {
                await DeliverAsync(next.Visible, token).ConfigureAwait(false);
            }

            next.Visible.Clear();
            Acknowledge(items);
            Release(CostOf(items));
            ReturnBatches(items);
            lock (free)
            {
                free.Enqueue(next);
            }
        }
    }

    /// <summary>One dispatch's items and what of them the sinks see, handed from the store stage to the delivery stage.</summary>
    private sealed class Dispatched
    {
        public List<PipelineItem> Items { get; } = new(MaxBatchSize);

        public ServerEventBatch Visible { get; } = new();
    }

    private bool TryStore(List<PendingMessage> messages, out StoreException? failure)
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
    private void Hold(List<PipelineItem> items, List<PipelineItem> held, StoreException failure, bool firstFailure)
    {
        _statistics.OnStoreFailure(true);
        if (firstFailure)
        {
            LogStoreFailed(failure.Message, failure.Failure);
        }

        long released = 0;
        foreach (var item in items)
        {
            if (item.Messages is { AckTarget: { } target } confirmed)
            {
                for (var i = 0; i < confirmed.Count; i++)
                {
                    target.Reject(confirmed[i].Sequence, ProtocolErrorCode.StoreFailed, failure.Message);
                }

                released += confirmed.Cost;
                _batches.Return(confirmed);
            }
            else
            {
                held.Add(item);
            }
        }

        Release(released);
    }

    /// <summary>
    /// A connection the store failed on may have more messages queued: none of them is stored, shown
    /// or acknowledged, since it would commit past the one that failed (an ACK and WELCOME mean
    /// "everything up to here is stored"). The connection is closing; its client resends.
    /// </summary>
    private void RefuseAfterStoreFailure(List<PipelineItem> items)
    {
        long released = 0;
        var kept = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item.Messages is { AckTarget: { StoreFailed: true } target } refused)
            {
                for (var m = 0; m < refused.Count; m++)
                {
                    target.Reject(refused[m].Sequence, ProtocolErrorCode.StoreFailed, "an earlier message of this connection was not stored; reconnect and resend");
                }

                released += refused.Cost;
                _batches.Return(refused);
                continue;
            }

            items[kept++] = item;
        }

        if (kept < items.Count)
        {
            items.RemoveRange(kept, items.Count - kept);
            Release(released);
        }
    }

    private async ValueTask DeliverAsync(ServerEventBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        foreach (var sink in _sinks)
        {
            try
            {
                await sink.OnBatchAsync(batch, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Tells each confirmed connection, once per dispatch, how far its messages are stored.</summary>
    private void Acknowledge(List<PipelineItem> items)
    {
        // Cumulative: the last message of each connection in the dispatch acknowledges the earlier ones.
        _acknowledged.Clear();
        for (var i = items.Count - 1; i >= 0; i--)
        {
            if (items[i].Messages is { AckTarget: { } target } batch && _acknowledged.Add(target))
            {
                ref var last = ref batch[batch.Count - 1];
                target.Acknowledge(last.Sequence, last.Id);
            }
        }

        _statistics.OnAcks(_acknowledged.Count);
    }

    /// <summary>
    /// The messages the store (and the sender sequences) must see, as references into their batches:
    /// every one with a store, only confirmed ones without. Returns how many messages the items hold.
    /// </summary>
    private int Collect(List<PipelineItem> items, List<PendingMessage> messages)
    {
        messages.Clear();
        var count = 0;
        foreach (var item in items)
        {
            if (item.Messages is not { } batch)
            {
                continue;
            }

            count += batch.Count;
            if (_store is not null || batch.ClientId is not null)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    messages.Add(new PendingMessage(batch, i));
                }
            }
        }

        return count;
    }

    /// <summary>What users see is what is stored: duplicates were stored before, and are not shown again.</summary>
    internal static void Visible(List<PipelineItem> items, ServerEventBatch visible)
    {
        visible.Clear();
        foreach (var item in items)
        {
            if (item.Event is { } serverEvent)
            {
                visible.Add(serverEvent);
                continue;
            }

            var batch = item.Messages!;
            for (var i = 0; i < batch.Count; i++)
            {
                if (!batch[i].IsDuplicate)
                {
                    visible.Add(batch, i);
                }
            }
        }
    }

    private static long CostOf(List<PipelineItem> items)
    {
        long bytes = 0;
        foreach (var item in items)
        {
            bytes += Cost(item);
        }

        return bytes;
    }

    private void ReturnBatches(List<PipelineItem> items)
    {
        foreach (var item in items)
        {
            if (item.Messages is { } batch)
            {
                _batches.Return(batch);
            }
        }

        items.Clear();
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

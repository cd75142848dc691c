using System.Diagnostics;

namespace TcpMsg.Fuzz;

/// <summary>
/// Runs a target over many inputs on several threads, each with its own seeded generator (so a run
/// can be repeated exactly), and checks what no single input may do: throw anything but the
/// documented exceptions, allocate beyond the target's limit, or take longer than the time limit.
/// A watchdog catches an input that never returns (a hang) and reports it before the process ends.
/// </summary>
public sealed class FuzzRunner
{
    private readonly FuzzOptions _options;
    private readonly Action<string> _log;

    public FuzzRunner(FuzzOptions options, Action<string> log)
    {
        _options = options;
        _log = log;
    }

    public FuzzReport Run(IFuzzTarget target)
    {
        var report = new FuzzReport(target.Name);
        var workers = Enumerable.Range(0, _options.Workers).Select(w => new Worker(w)).ToArray();
        var perWorker = (_options.Iterations + _options.Workers - 1) / _options.Workers;
        using var done = new CancellationTokenSource();
        var watchdog = new Thread(() => Watch(target, workers, done.Token)) { IsBackground = true, Name = "fuzz watchdog" };
        watchdog.Start();
        var clock = Stopwatch.StartNew();
        var threads = workers.Select(worker => new Thread(() => Work(target, worker, perWorker, report)) { Name = $"fuzz worker {worker.Id}" }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        report.Elapsed = clock.Elapsed;
        done.Cancel();
        watchdog.Join();
        return report;
    }

    private void Work(IFuzzTarget target, Worker worker, long count, FuzzReport report)
    {
        var random = new Random(WorkerSeed(_options.Seed, target.Name, worker.Id));
        var meter = new AllocationMeter();
        for (long i = 0; i < count && report.Failures.Count < _options.MaxFailures; i++)
        {
            var input = target.Generate(random);
            meter.Reset();
            worker.Begin(input);
            var started = Stopwatch.GetTimestamp();
            string outcome;
            try
            {
                outcome = target.Run(input, meter);
            }
            catch (Exception ex)
            {
                Record(report, target, input, ex is FuzzFailureException ? ex.Message : $"{ex.GetType().Name} escaped the decoder: {ex.Message}");
                outcome = "FAILED";
            }

            var time = Stopwatch.GetElapsedTime(started);
            worker.End();
            var limit = target.AllocationLimit(input);
            if (meter.Bytes > limit)
            {
                Record(report, target, input, $"the decoder allocated {meter.Bytes:N0} bytes for one input, over the limit of {limit:N0}");
            }

            if (time > _options.InputTimeLimit)
            {
                Record(report, target, input, $"one input took {time.TotalMilliseconds:0} ms, over the limit of {_options.InputTimeLimit.TotalMilliseconds:0} ms");
            }

            report.Add(outcome, input.Bytes.Length, time, meter.Bytes);
        }
    }

    /// <summary>
    /// The seed of one worker's generator, the same in every process: HashCode and string hashes are
    /// randomized per process, and a seed made from them would replay nothing.
    /// </summary>
    internal static int WorkerSeed(int seed, string target, int worker)
    {
        var mixed = (uint)seed;
        foreach (var c in target)
        {
            mixed = unchecked((mixed ^ c) * 16_777_619u);
        }

        return (int)unchecked((mixed ^ (uint)worker) * 16_777_619u);
    }

    private void Record(FuzzReport report, IFuzzTarget target, FuzzInput input, string failure)
    {
        report.Fail(failure);
        var file = Save(target, input);
        _log($"FAILURE in {target.Name}: {failure}\n  input saved to {file}: {input}");
    }

    private void Watch(IFuzzTarget target, Worker[] workers, CancellationToken done)
    {
        // A hang cannot be interrupted from outside the thread: report the input and end the process.
        var limit = _options.HangLimit;
        while (!done.WaitHandle.WaitOne(100))
        {
            foreach (var worker in workers)
            {
                if (worker.Current is { } input && Stopwatch.GetElapsedTime(worker.StartedAt) > limit)
                {
                    var file = Save(target, input);
                    _log($"HANG in {target.Name}: an input has run for more than {limit.TotalSeconds:0} s; saved to {file}: {input}");
                    Environment.Exit(3);
                }
            }
        }
    }

    private string Save(IFuzzTarget target, FuzzInput input)
    {
        Directory.CreateDirectory(_options.FailureDirectory);
        var file = Path.Combine(_options.FailureDirectory, $"{target.Name}-{Guid.NewGuid():N}.txt");
        File.WriteAllText(file, input + "\n");
        return file;
    }

    private sealed class Worker(int id)
    {
        private FuzzInput? _current;
        private long _startedAt;

        public int Id { get; } = id;

        public FuzzInput? Current => Volatile.Read(ref _current);

        public long StartedAt => Volatile.Read(ref _startedAt);

        public void Begin(FuzzInput input)
        {
            Volatile.Write(ref _startedAt, Stopwatch.GetTimestamp());
            Volatile.Write(ref _current, input);
        }

        public void End() => Volatile.Write(ref _current, null);
    }
}

using System.Globalization;

namespace TcpMsg.Fuzz;

/// <summary>What one target's run found: counts per outcome, the worst per-input time and allocation, failures.</summary>
public sealed class FuzzReport
{
    private readonly Lock _lock = new();

    public FuzzReport(string target) => Target = target;

    public string Target { get; }

    public long Inputs { get; private set; }

    public long InputBytes { get; private set; }

    public Dictionary<string, long> Outcomes { get; } = [];

    public TimeSpan Elapsed { get; set; }

    public TimeSpan SlowestInput { get; private set; }

    public long MostAllocated { get; private set; }

    public List<string> Failures { get; } = [];

    public void Add(string outcome, int bytes, TimeSpan time, long allocated)
    {
        lock (_lock)
        {
            Inputs++;
            InputBytes += bytes;
            Outcomes[outcome] = Outcomes.GetValueOrDefault(outcome) + 1;
            SlowestInput = time > SlowestInput ? time : SlowestInput;
            MostAllocated = Math.Max(MostAllocated, allocated);
        }
    }

    public void Fail(string failure)
    {
        lock (_lock)
        {
            Failures.Add(failure);
        }
    }

    public override string ToString()
    {
        var outcomes = string.Join(", ", Outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value:N0}"));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Target}: {Inputs:N0} inputs ({InputBytes / 1024.0 / 1024.0:0.#} MiB) in {Elapsed.TotalSeconds:0.0} s = {Inputs / Math.Max(Elapsed.TotalSeconds, 1e-9):N0}/s; " +
            $"slowest input {SlowestInput.TotalMilliseconds:0.###} ms; most allocated by the decoder for one input {MostAllocated:N0} B; " +
            $"failures {Failures.Count}; outcomes: {outcomes}");
    }
}

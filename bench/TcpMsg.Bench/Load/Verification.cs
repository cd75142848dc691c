using System.Globalization;

namespace TcpMsg.Bench.Load;

/// <summary>What a peer's output holds compared with what was sent: every message exactly once, intact.</summary>
internal sealed class Verification
{
    public long Expected { get; init; }

    public long Intact { get; init; }

    public long Missing { get; init; }

    public long Duplicates { get; init; }

    /// <summary>Lines that are not an intact message of this run (cut, interleaved, altered).</summary>
    public long Damaged { get; init; }

    /// <summary>Set when the check could only count (the bare receiver): what did not match.</summary>
    public string? Mismatch { get; init; }

    public bool Passed => Intact == Expected && Missing == 0 && Duplicates == 0 && Damaged == 0 && Mismatch is null;

    public double IntactPercent => Expected == 0 ? 100 : 100.0 * Intact / Expected;

    public override string ToString() => Passed
        ? string.Create(CultureInfo.InvariantCulture, $"{Intact} of {Expected} intact")
        : string.Create(CultureInfo.InvariantCulture, $"{Intact} of {Expected} intact, {Missing} missing, {Duplicates} duplicated, {Damaged} damaged lines{(Mismatch is null ? string.Empty : "; " + Mismatch)}");
}

namespace TcpMsg.Bench.Chat;

/// <summary>What one burst run measured.</summary>
/// <param name="Members">Reading members (besides the stalled one and the flooder).</param>
/// <param name="Messages">Lines the flooder sent.</param>
/// <param name="FloodSeconds">From the flooder's first byte until the server stored every line.</param>
/// <param name="PerMember">Lines per second each reading member received, from the flood's first byte to its own last line, sorted.</param>
/// <param name="CatchUpSeconds">After the last line was stored, until the slowest member had every line.</param>
/// <param name="Dropped">Lines some member missed (the run fails on a gap; always 0 when it completes).</param>
/// <param name="PeakRssMib">The server's peak resident memory.</param>
/// <param name="StalledRemovedSeconds">From the flood's first byte until the member that never read was removed (its socket took nothing for the slow-client timeout); NaN if not within the limit.</param>
internal sealed record BurstResult(
    int Members,
    int Messages,
    double FloodSeconds,
    double[] PerMember,
    double CatchUpSeconds,
    long Dropped,
    double PeakRssMib,
    double StalledRemovedSeconds);

namespace TcpMsg.Bench.Chat;

/// <summary>What one burst run measured.</summary>
/// <param name="Members">Reading members (besides the stalled one and the flooder).</param>
/// <param name="Messages">Lines the flooder sent.</param>
/// <param name="FloodSeconds">From the flooder's first byte until the server stored every line.</param>
/// <param name="PerMember">Lines per second each reading member received, from the flood's first byte to its own last line, sorted.</param>
/// <param name="CatchUpSeconds">After the last line was stored, until the slowest member had every line.</param>
/// <param name="Dropped">Reading members the server disconnected (a gap or a duplicate fails the run instead).</param>
/// <param name="PeakRssMib">The server's peak resident memory.</param>
/// <param name="StalledRemovedSeconds">From the flood's first byte until the member that never read was removed (its socket took nothing for the slow-client timeout); NaN if not within the limit.</param>
/// <param name="Received">Lines each reading member had received when the run ended, sorted.</param>
/// <param name="ServerCpuSeconds">The server's CPU time (user and system) over the run.</param>
/// <param name="Failure">Why the run did not complete (a member dropped, a gap, the phase limit); null when it did. What it measured until then is kept.</param>
internal sealed record BurstResult(
    int Members,
    int Messages,
    double FloodSeconds,
    double[] PerMember,
    double CatchUpSeconds,
    long Dropped,
    double PeakRssMib,
    double StalledRemovedSeconds,
    int[] Received,
    double ServerCpuSeconds,
    string? Failure);

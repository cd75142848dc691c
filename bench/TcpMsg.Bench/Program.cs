using System.Runtime.InteropServices;
using BenchmarkDotNet.Running;
using TcpMsg.Bench;
using TcpMsg.Bench.Peers;

// TcpMsg.Bench load [options]   the load harness: scenarios x peers, verified, medians (see LoadOptions)
// TcpMsg.Bench micro [BenchmarkDotNet options]   the micro-benchmarks of the framer and the formatters
// TcpMsg.Bench store [options]   the store on its own (Store/StoreBench.cs)
if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(LoadRunner).Assembly).Run(args[1..]);
    return 0;
}

// TcpMsg.Bench store [--dir DIR] [--messages N]   the store on its own: bytes per message, history over a large store
if (args.Length > 0 && args[0] == "store")
{
    return TcpMsg.Bench.Store.StoreBench.Run(args[1..]);
}

// TcpMsg.Bench shared-store [options]   the store on PostgreSQL, one and two servers, against SQLite (Store/SharedStoreBench.cs)
if (args.Length > 0 && args[0] == "shared-store")
{
    return TcpMsg.Bench.Store.SharedStoreBench.Run(args[1..]);
}

// TcpMsg.Bench flood --port P [options]   a scenario's load, round after round, to a server started by hand (for a profiler)
if (args.Length > 0 && args[0] == "flood")
{
    return await TcpMsg.Bench.Load.ProfileFlood.RunAsync(args[1..]).ConfigureAwait(false);
}

// Ctrl+C or SIGTERM stop the harness (the default); its peers must not outlive it.
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => RunningPeer.KillAll());
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => RunningPeer.KillAll());
AppDomain.CurrentDomain.ProcessExit += (_, _) => RunningPeer.KillAll();

try
{
    var options = LoadOptions.Parse(args.Length > 0 && args[0] == "load" ? args[1..] : args);
    return await new LoadRunner(options, Console.Error).RunAsync().ConfigureAwait(false);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"TcpMsg.Bench: {ex.Message}");
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

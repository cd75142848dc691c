using System.Diagnostics;
using TcpMsg.Fuzz;

// tcpmsg's fuzz campaign: every decoder, a million generated inputs each by default.
//   dotnet run -c Release --project tests/TcpMsg.Fuzz -- [--iterations N] [--seed N] [--workers N] [--target NAME]
// Exit code 0: no failure; 1: failures (inputs saved); 2: bad usage; 3: a hang (input saved).
if (!FuzzOptions.TryParse(args, out var options, out var error))
{
    Console.Error.WriteLine($"tcpmsg-fuzz: {error}");
    return 2;
}

var targets = FuzzTargets.All.Where(t => options.Target is null || t.Name == options.Target).ToList();
if (targets.Count == 0)
{
    Console.Error.WriteLine($"tcpmsg-fuzz: no target '{options.Target}'; targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");
    return 2;
}

Console.WriteLine($"tcpmsg fuzz: seed {options.Seed}, {options.Iterations:N0} inputs per target, {options.Workers} workers, " +
    $"input time limit {options.InputTimeLimit.TotalMilliseconds:0} ms, {(Debugger.IsAttached ? "debugger" : "no debugger")}");
var runner = new FuzzRunner(options, Console.Error.WriteLine);
var failed = false;
foreach (var target in targets)
{
    var report = runner.Run(target);
    Console.WriteLine(report);
    failed |= report.Failures.Count > 0;
}

return failed ? 1 : 0;

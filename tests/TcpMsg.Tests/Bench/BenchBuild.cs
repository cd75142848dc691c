using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Bench;

/// <summary>Finds the benchmark harness built alongside the tests (same configuration).</summary>
public static class BenchBuild
{
    public static string DllPath
    {
        get
        {
            var testDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var dll = Path.Combine(CliBuild.RepositoryRoot, "bench", "TcpMsg.Bench", "bin", testDirectory.Parent!.Name, testDirectory.Name, "TcpMsg.Bench.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("The benchmark harness is not built; build the solution first.", dll);
        }
    }
}

namespace TcpMsg.Tests.Infrastructure;

/// <summary>Finds the tcpmsg tool built alongside the tests (same configuration).</summary>
public static class CliBuild
{
    private static readonly Lazy<string> s_dll = new(Locate);

    public static string DllPath => s_dll.Value;

    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "tcpmsg.slnx")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("cannot find the repository root (tcpmsg.slnx) above " + AppContext.BaseDirectory);
        }
    }

    private static string Locate()
    {
        // The tests are built to tests/TcpMsg.Tests/bin/<Configuration>/<tfm>/; the tool the same way.
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testDirectory.Name;
        var configuration = testDirectory.Parent!.Name;
        var dll = Path.Combine(RepositoryRoot, "src", "TcpMsg.Cli", "bin", configuration, framework, "TcpMsg.Cli.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("The tcpmsg tool is not built; build the solution first.", dll);
    }
}

using TcpMsg.Server.Internal;

namespace TcpMsg.Tests.Server;

/// <summary>How many connections an open-files limit leaves room for.</summary>
public sealed class DescriptorBudgetTests
{
    private const string Limits =
        "Limit                     Soft Limit           Hard Limit           Units     \n" +
        "Max processes             95448                95448                processes \n" +
        "Max open files            1024                 524288               files     \n" +
        "Max locked memory         8388608              8388608              bytes     \n";

    [Fact]
    public void The_soft_limit_is_read_from_proc_self_limits()
    {
        Assert.Equal(1024, DescriptorBudget.ParseSoftLimit(Limits));
        Assert.Null(DescriptorBudget.ParseSoftLimit(Limits.Replace("1024      ", "unlimited ", StringComparison.Ordinal)));
        Assert.Null(DescriptorBudget.ParseSoftLimit("Max processes 10 10 processes\n"));
    }

    [Fact]
    public void Connections_get_what_the_descriptors_open_and_the_reserve_leave()
    {
        Assert.Equal(1024 - 100 - DescriptorBudget.Reserve, DescriptorBudget.For(1024, 100).Connections);
        Assert.Equal(1, DescriptorBudget.For(100, 90).Connections);
    }

    [Fact]
    public void This_process_has_the_budget_its_limit_and_its_open_descriptors_leave()
    {
        var budget = DescriptorBudget.Current();
        if (!OperatingSystem.IsLinux())
        {
            Assert.Null(budget);
            return;
        }

        // What /proc says, read here independently; "unlimited" is the one case without a budget.
        var soft = DescriptorBudget.ParseSoftLimit(File.ReadAllText("/proc/self/limits"));
        if (soft is null)
        {
            Assert.Null(budget);
            return;
        }

        Assert.NotNull(budget);
        Assert.Equal(soft, budget.SoftLimit);
        var open = Directory.GetFileSystemEntries("/proc/self/fd").Length;

        // Other tests open and close files meanwhile: the count at start is near the one now.
        Assert.InRange(budget.OpenAtStart, 3, open + 200);
        Assert.Equal(Math.Max(1, budget.SoftLimit - budget.OpenAtStart - DescriptorBudget.Reserve), budget.Connections);
    }
}

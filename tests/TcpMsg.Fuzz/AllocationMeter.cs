namespace TcpMsg.Fuzz;

/// <summary>
/// Measures what the decoder allocates on this thread, and only the decoder: targets wrap each call
/// into it in <see cref="Measure{T}"/>, leaving out their own bookkeeping.
/// </summary>
public sealed class AllocationMeter
{
    public long Bytes { get; private set; }

    public void Reset() => Bytes = 0;

    public T Measure<T>(Func<T> decode)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            return decode();
        }
        finally
        {
            Bytes += GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }
}

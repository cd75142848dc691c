namespace TcpMsg.Fuzz;

/// <summary>The decoder broke one of the target's rules for this input.</summary>
public sealed class FuzzFailureException : Exception
{
    public FuzzFailureException(string message)
        : base(message)
    {
    }
}

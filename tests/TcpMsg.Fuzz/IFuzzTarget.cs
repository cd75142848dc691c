namespace TcpMsg.Fuzz;

/// <summary>
/// One decoder under fuzz: it makes inputs, feeds each one to the decoder the way the server does
/// (in chunks, as reads arrive), and checks what came out against its own model of the format.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The name used on the command line and in the report.</summary>
    string Name { get; }

    /// <summary>
    /// The most bytes the decoder itself may allocate for <paramref name="input"/>, whatever it holds:
    /// the decoder must never size anything by what a hostile input declares.
    /// </summary>
    long AllocationLimit(FuzzInput input);

    /// <summary>Makes the next input: valid, mutated or random, as the target sees fit.</summary>
    FuzzInput Generate(Random random);

    /// <summary>
    /// Runs one input. Returns the outcome's name for the report ("message", "too large", ...).
    /// Throws <see cref="FuzzFailureException"/> when the decoder broke a rule; any other exception
    /// escaping the decoder is a failure too.
    /// </summary>
    string Run(FuzzInput input, AllocationMeter meter);
}

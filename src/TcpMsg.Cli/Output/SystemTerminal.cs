namespace TcpMsg.Cli.Output;

/// <summary>The process's real terminal (System.Console), for the interactive chat.</summary>
internal sealed class SystemTerminal : ITerminal
{
    private const int FallbackWidth = 80;

    public int Width
    {
        get
        {
            try
            {
                return Console.WindowWidth > 0 ? Console.WindowWidth : FallbackWidth;
            }
            catch (IOException)
            {
                return FallbackWidth;
            }
        }
    }

    public ConsoleKeyInfo? ReadKey()
    {
        try
        {
            return Console.ReadKey(intercept: true);
        }
        catch (InvalidOperationException)
        {
            // Standard input is not (or no longer) a terminal.
            return null;
        }
    }

    public void SetKeyMode(bool on) => Console.TreatControlCAsInput = on;
}

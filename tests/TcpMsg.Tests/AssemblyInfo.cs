using System.Runtime.Versioning;

// The tests read /proc, send signals with kill(1) and run nc and python3: Linux only.
[assembly: SupportedOSPlatform("linux")]

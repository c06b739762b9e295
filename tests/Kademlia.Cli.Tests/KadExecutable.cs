using System.Reflection;

namespace Kademlia.Cli.Tests;

/// <summary>
/// Finds the built <c>kad.dll</c>: the path the build recorded (an assembly attribute of this test
/// project), else the copy the project reference put next to the tests.
/// </summary>
internal static class KadExecutable
{
    public static readonly string Path = Locate();

    private static string Locate()
    {
        var recorded = typeof(KadExecutable).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "KadDll")?.Value;
        if (recorded is not null && File.Exists(recorded) && File.Exists(System.IO.Path.ChangeExtension(recorded, ".runtimeconfig.json")))
        {
            return recorded;
        }

        var beside = System.IO.Path.Combine(AppContext.BaseDirectory, "kad.dll");
        if (File.Exists(beside) && File.Exists(System.IO.Path.Combine(AppContext.BaseDirectory, "kad.runtimeconfig.json")))
        {
            return beside;
        }

        throw new FileNotFoundException($"kad.dll not found at {recorded} nor in {AppContext.BaseDirectory}; build src/Kademlia.Cli first.");
    }
}

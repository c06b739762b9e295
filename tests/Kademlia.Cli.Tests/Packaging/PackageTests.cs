using System.Reflection;

namespace Kademlia.Cli.Tests.Packaging;

/// <summary>Runs alone: it packs, restores and builds, and would starve the timing of the process tests.</summary>
[CollectionDefinition(nameof(PackageTests), DisableParallelization = true)]
public sealed class PackageTestsCollection;

/// <summary>
/// The packages as a new user gets them: packed from this build into a folder, referenced by a fresh
/// console project outside the solution, and the <c>kad</c> tool installed from the same folder.
/// </summary>
[Collection(nameof(PackageTests))]
public sealed class PackageTests
{
    private static readonly string RepositoryRoot = Metadata("RepositoryRoot");
    private static readonly string Configuration = Metadata("Configuration");
    private static readonly string Version = Metadata("PackageVersion");

    [Fact]
    public async Task Packages_restore_outside_the_solution_and_the_tool_installs_and_runs()
    {
        using var directory = new TempDirectory();
        var feed = directory.Sub("feed");
        // A version no cache can hold yet, so restore and install take exactly what was packed here.
        var version = $"{Version}-packtest.{Guid.NewGuid().ToString("N")[..8]}";

        // The projects this test depends on are built already: pack what the build made, as CI would publish it.
        await Succeed(directory.Path, "dotnet", "pack", Path.Combine(RepositoryRoot, "Kademlia.slnx"), "--no-build", "-c", Configuration,
            "-o", feed, $"-p:PackageVersion={version}");
        var packed = Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(
            new[] { $"Kademlia.{version}.nupkg", $"Kademlia.Core.{version}.nupkg", $"Kademlia.Hosting.{version}.nupkg", $"Kademlia.Sqlite.{version}.nupkg", $"kad.{version}.nupkg" }.Order(),
            packed);
        Assert.Equal(5, Directory.GetFiles(feed, "*.snupkg").Length);
        var tool = new FileInfo(Path.Combine(feed, $"kad.{version}.nupkg")).Length;
        Assert.True(tool <= 20 * 1024 * 1024, $"the kad package is {tool:N0} bytes; it must stay under 20 MB (issue 16).");

        // A console project that knows nothing of the solution: Kademlia from the folder, the rest from the feed.
        ConsumerProject.Write(directory.Path, feed, version);
        var project = ConsumerProject.ProjectDirectory(directory.Path);
        await Succeed(project, "dotnet", "restore");
        Assert.True(Directory.Exists(Path.Combine(directory.Sub("packages"), "kademlia.core", version)), "Kademlia.Core came from the folder");
        Assert.True(Directory.Exists(Path.Combine(directory.Sub("packages"), "kademlia.hosting", version)), "Kademlia.Hosting came from the folder");
        await Succeed(project, "dotnet", "build", "--no-restore", "-c", "Release", "-o", directory.Sub("app"));
        var value = $"hello from a package {Guid.NewGuid():N}";
        var run = await Succeed(project, "dotnet", directory.Sub($"app/{ConsumerProject.Name}.dll"), value);
        Assert.Contains("hosted: started", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("joined: True", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("health: Healthy", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("put: stored on 0", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"got: {value}", run.Stdout, StringComparison.Ordinal);

        // The tool, installed from the folder as the README says, runs its demo.
        var tools = directory.Sub("tools");
        await Succeed(directory.Path, "dotnet", "tool", "install", "kad", "--tool-path", tools, "--source", feed, "--version", version);
        var demo = await Succeed(directory.Path, Path.Combine(tools, "kad"), "demo");
        Assert.Contains("stored on", demo.Stdout, StringComparison.Ordinal);
        Assert.Contains("Done in", demo.Stdout, StringComparison.Ordinal);
    }

    private static async Task<KadRun> Succeed(string workingDirectory, string program, params string[] args)
    {
        var run = await DotnetCli.RunProgramAsync(program, workingDirectory, args);
        Assert.True(run.ExitCode == 0, $"{DotnetCli.Describe(program, args)} failed: {run}");
        return run;
    }

    private static string Metadata(string key) =>
        typeof(PackageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"The test project records no {key}.");
}

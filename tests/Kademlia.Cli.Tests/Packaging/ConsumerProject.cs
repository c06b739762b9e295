using System.Security;

namespace Kademlia.Cli.Tests.Packaging;

/// <summary>
/// A new user's console program, outside the solution: it references the <c>Kademlia</c> package from
/// a local folder only (public packages from the usual feed), starts two nodes on loopback, stores a
/// value through one and reads it back through the other.
/// </summary>
internal static class ConsumerProject
{
    /// <summary>The public feed that <c>dotnet restore</c> uses on these machines and on CI.</summary>
    private const string PublicFeed = "https://api.nuget.org/v3/index.json";

    public const string Name = "KademliaConsumer";

    /// <summary>
    /// Writes the project into <paramref name="directory"/>: a <c>nuget.config</c> that maps every
    /// Kademlia package to <paramref name="feed"/> alone and keeps what it restores out of the user's
    /// package cache, empty <c>Directory.Build.*</c> files so nothing above the directory leaks in, the
    /// project file and the program.
    /// </summary>
    public static void Write(string directory, string feed, string version)
    {
        var packages = Path.Combine(directory, "packages");
        // The user's cache serves the public packages it already holds (read only, nothing is added there).
        var userCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Xml(packages)}" />
              </config>
              <fallbackPackageFolders>
                <clear />
                <add key="user" value="{Xml(userCache)}" />
              </fallbackPackageFolders>
              <packageSources>
                <clear />
                <add key="local" value="{Xml(feed)}" />
                <add key="public" value="{PublicFeed}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local">
                  <package pattern="Kademlia" />
                  <package pattern="Kademlia.*" />
                  <package pattern="kad" />
                </packageSource>
                <packageSource key="public">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");

        var project = Path.Combine(directory, Name);
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, Name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Kademlia" Version="[{version}]" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), """
            using System.Net;
            using System.Text;
            using Kademlia;
            using Kademlia.Identity;
            using Kademlia.Records;

            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var token = guard.Token;
            DhtNodeOptions Loopback() => new() { Network = NetworkParameters.Test, Bind = new IPEndPoint(IPAddress.Loopback, 0) };

            await using var first = await DhtNode.StartAsync(Loopback(), token);
            await using var second = await DhtNode.StartAsync(Loopback(), token);
            var joined = await second.JoinAsync([first.ContactString], cancellationToken: token);
            Console.WriteLine($"joined: {joined.Succeeded}, table {joined.TableSize}");

            var put = await second.PutAsync(ImmutableRecord.Create(Encoding.UTF8.GetBytes(args[0])), cancellationToken: token);
            Console.WriteLine($"put: stored on {put.Stored} of {put.Attempted}");
            var got = await first.GetAsync(put.Key, RecordKind.Immutable, token);
            Console.WriteLine($"got: {(got.Record is null ? "(nothing)" : Encoding.UTF8.GetString(got.Record.Value.Span))}");
            return got.Record is null ? 1 : 0;
            """);
    }

    public static string ProjectDirectory(string directory) => Path.Combine(directory, Name);

    private static string Xml(string text) => SecurityElement.Escape(text);
}

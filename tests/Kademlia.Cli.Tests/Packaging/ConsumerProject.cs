using System.Security;

namespace Kademlia.Cli.Tests.Packaging;

/// <summary>
/// A new user's console program, outside the solution: it references the <c>Kademlia.Hosting</c> package
/// (and through it <c>Kademlia</c>) from a local folder only (public packages from the usual feed), runs
/// one node in a generic host (<c>AddKademliaNode</c>, settings from configuration, its health check) and
/// one on its own on loopback, stores a value through one and reads it back through the other.
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
                <PackageReference Include="Kademlia.Hosting" Version="[{version}]" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.10" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), """
            using System.Net;
            using System.Text;
            using Kademlia;
            using Kademlia.Hosting;
            using Kademlia.Identity;
            using Kademlia.Records;
            using Microsoft.Extensions.Configuration;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Diagnostics.HealthChecks;
            using Microsoft.Extensions.Hosting;

            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var token = guard.Token;

            // The first node in a generic host, from configuration.
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Kademlia:Network"] = "test", ["Kademlia:Bind"] = "127.0.0.1" });
            builder.Services.AddKademliaNode(builder.Configuration);
            builder.Services.AddHealthChecks().AddKademlia();
            using var host = builder.Build();
            await host.StartAsync(token);
            var first = await host.Services.GetRequiredService<HostedDhtNode>().GetNodeAsync(token);
            Console.WriteLine("hosted: started");

            // The second on its own, joining the first.
            await using var second = await DhtNode.StartAsync(new DhtNodeOptions { Network = NetworkParameters.Test, Bind = new IPEndPoint(IPAddress.Loopback, 0) }, token);
            var joined = await second.JoinAsync([first.ContactString], cancellationToken: token);
            Console.WriteLine($"joined: {joined.Succeeded}, table {joined.TableSize}");
            var health = host.Services.GetRequiredService<HealthCheckService>();
            while ((await health.CheckHealthAsync(token)).Status != HealthStatus.Healthy)
            {
                await Task.Delay(100, token);
            }

            Console.WriteLine("health: Healthy");

            var put = await second.PutAsync(ImmutableRecord.Create(Encoding.UTF8.GetBytes(args[0])), cancellationToken: token);
            Console.WriteLine($"put: stored on {put.Stored} of {put.Attempted}");
            var got = await first.GetAsync(put.Key, RecordKind.Immutable, token);
            Console.WriteLine($"got: {(got.Record is null ? "(nothing)" : Encoding.UTF8.GetString(got.Record.Value.Span))}");
            await host.StopAsync(token);
            return got.Record is null ? 1 : 0;
            """);
    }

    public static string ProjectDirectory(string directory) => Path.Combine(directory, Name);

    private static string Xml(string text) => SecurityElement.Escape(text);
}

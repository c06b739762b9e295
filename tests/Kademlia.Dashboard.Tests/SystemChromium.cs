using System.Reflection;
using Microsoft.Playwright;

namespace Kademlia.Dashboard.Tests;

/// <summary>
/// Debian's chromium, driven by Playwright as its executable (Playwright's own browser builds are never
/// downloaded). <c>KAD_CHROMIUM</c> names another Chromium-based browser.
/// </summary>
internal static class SystemChromium
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    public static string? Executable =>
        Environment.GetEnvironmentVariable("KAD_CHROMIUM") is { Length: > 0 } named ? named : Candidates.FirstOrDefault(File.Exists);

    /// <summary>Why the browser tests cannot run here, or null when they can.</summary>
    public static string? WhyNot() =>
        Executable is { } path && File.Exists(path)
            ? null
            : "browser test: no chromium found (apt-get install chromium; .ci/run does), or set KAD_CHROMIUM to a Chromium-based browser.";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Executable,
                Headless = true,
                // Root in CI: Chromium's sandbox needs a user namespace it does not get there.
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}

/// <summary>A fact that runs where a Chromium is installed, and is reported skipped, saying why, elsewhere.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (SystemChromium.WhyNot() is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>One browser shared by the tests of a class.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (SystemChromium.WhyNot() is not null)
        {
            return;
        }

        (_playwright, Browser) = await SystemChromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>Screenshots kept as test artifacts under TestResults/dashboard.</summary>
internal static class Artifacts
{
    public static string Directory =>
        typeof(Artifacts).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "ArtifactDirectory").Value!;

    public static string PathFor(string name)
    {
        System.IO.Directory.CreateDirectory(Directory);
        return Path.Combine(Directory, name);
    }
}

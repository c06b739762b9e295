using Microsoft.Playwright;

namespace Kademlia.Dashboard.Tests;

/// <summary>
/// A page's console errors and uncaught exceptions, collected as they happen. Playwright raises its events
/// on its own threads, so the list is locked and read as a snapshot.
/// </summary>
internal sealed class PageErrors
{
    private readonly List<string> _errors = [];

    private PageErrors()
    {
    }

    /// <summary>Starts collecting <paramref name="page"/>'s errors.</summary>
    public static PageErrors Watch(IPage page)
    {
        var errors = new PageErrors();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        return errors;
    }

    /// <summary>The errors so far.</summary>
    public IReadOnlyList<string> Snapshot()
    {
        lock (_errors)
        {
            return [.. _errors];
        }
    }

    private void Add(string error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }
}

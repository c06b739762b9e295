using Kademlia.Workloads;
using Spectre.Console;

namespace Kademlia.Cli.Commands;

/// <summary>Shows a workload's phases as Spectre progress bars, one per phase.</summary>
internal sealed class BenchProgress(ProgressContext context) : IProgress<WorkloadProgress>
{
    private readonly Dictionary<string, ProgressTask> _tasks = [];

    public void Report(WorkloadProgress value)
    {
        lock (_tasks)
        {
            if (!_tasks.TryGetValue(value.Phase, out var task))
            {
                task = context.AddTask(value.Phase, maxValue: Math.Max(1, value.Total));
                _tasks[value.Phase] = task;
            }

            task.MaxValue = Math.Max(1, value.Total);
            task.Value = value.Done;
        }
    }

    private void CompleteAll()
    {
        lock (_tasks)
        {
            foreach (var task in _tasks.Values)
            {
                task.Value = task.MaxValue;
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> under a progress display, or without one when <paramref name="quiet"/>.</summary>
    public static async Task<T> RunAsync<T>(bool quiet, Func<IProgress<WorkloadProgress>?, Task<T>> work)
    {
        if (quiet)
        {
            return await work(null).ConfigureAwait(false);
        }

        return await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var progress = new BenchProgress(context);
                var result = await work(progress).ConfigureAwait(false);
                progress.CompleteAll();
                return result;
            }).ConfigureAwait(false);
    }
}

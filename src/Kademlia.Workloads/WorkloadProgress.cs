namespace Kademlia.Workloads;

/// <summary>How far a workload is: <paramref name="Done"/> of <paramref name="Total"/> steps of <paramref name="Phase"/>.</summary>
/// <param name="Phase">What runs now ("start", "bootstrap", "settle", "providers", ...).</param>
/// <param name="Done">Steps of the phase finished.</param>
/// <param name="Total">Steps of the phase.</param>
public readonly record struct WorkloadProgress(string Phase, int Done, int Total);

// A worker that runs a Kademlia node in the generic host, announces itself under a topic and lists
// the peers it finds there. Settings come from appsettings.json, the environment (Kademlia__Port=4100)
// or the command line (--Kademlia:Port=4100). Two on one machine:
//
//   dotnet run --project examples/HostedPeers -- --Kademlia:Port=4100 --HostedPeers:Name=first
//   dotnet run --project examples/HostedPeers -- --Kademlia:Bootstrap:0=127.0.0.1:4100 --HostedPeers:Name=second
//
// Each logs its contact string, its health (Unhealthy until it knows a peer) and the peers under the topic.
using HostedPeers;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddKademliaNode(builder.Configuration);
builder.Services.AddHealthChecks().AddKademlia();
builder.Services.Configure<PeerSettings>(builder.Configuration.GetSection(PeerSettings.SectionName));
builder.Services.AddHostedService<PeerWorker>();
await builder.Build().RunAsync();

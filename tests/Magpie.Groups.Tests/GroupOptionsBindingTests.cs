using System.Text;
using Microsoft.Extensions.Configuration;

namespace Magpie.Groups.Tests;

public class GroupOptionsBindingTests
{
    [Fact(Timeout = 10_000)]
    public async Task Groups_bind_from_magpie_json()
    {
        await Task.Yield();
        const string json = """
            {
              "Groups": [
                { "Name": "scores", "MaxBytes": 1048576, "DefaultTtl": "00:05:00", "HotCacheShare": 0.2,
                  "LoaderTimeout": "00:00:01", "PeerTimeout": "00:00:02",
                  "Origin": "http://127.0.0.1:9000/scores/{key}" },
                { "Name": "avatars" }
              ]
            }
            """;
        var config = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

        var groups = config.GetSection("Groups").Get<List<GroupOptions>>()!;

        Assert.Equal(2, groups.Count);
        var scores = groups[0];
        Assert.Equal(("scores", 1048576L, 0.2), (scores.Name, scores.MaxBytes, scores.HotCacheShare));
        Assert.Equal(TimeSpan.FromMinutes(5), scores.DefaultTtl);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)), (scores.LoaderTimeout, scores.PeerTimeout));
        Assert.Equal("http://127.0.0.1:9000/scores/{key}", scores.Origin);
        Assert.Empty(scores.Validate());

        var avatars = groups[1];
        Assert.Null(avatars.DefaultTtl);
        Assert.Null(avatars.Origin);
        Assert.Equal(new GroupOptions().MaxBytes, avatars.MaxBytes);
        Assert.Empty(avatars.Validate());
    }
}

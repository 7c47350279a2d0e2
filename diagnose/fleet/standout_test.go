package fleet

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestImpairedGroupNamedFirst: when one browser version has far more
// inbound loss, it is the first claim, and its browser is not named for
// it (the version explains it).
func TestImpairedGroupNamedFirst(t *testing.T) {
	for seed := range uint64(5) {
		r := rand.New(rand.NewPCG(seed, 11))
		people, tags := fleetOf(r, 400, func(p *Person) float64 {
			if p.Version == "Chrome 142" {
				return 0.4
			}
			return 0.03
		})
		v := build(people, tags).View()
		if len(v.StandOut) == 0 {
			t.Fatalf("seed %d: nothing stands out", seed)
		}
		first := v.StandOut[0]
		if first.Dim != "version" || first.Value != "Chrome 142" || first.Rule != "loss-inbound" {
			t.Errorf("seed %d: first claim %q, want loss-inbound of Chrome 142", seed, first)
		}
		for _, c := range v.StandOut {
			if c.Dim == "browser" && c.Value == "Chrome" {
				t.Errorf("seed %d: %q is claimed though Chrome 142 explains it", seed, c)
			}
			if c.Value != "Chrome 142" {
				t.Errorf("seed %d: %q claimed besides the impaired group", seed, c)
			}
		}
		if s := first.String(); !strings.HasPrefix(s, "loss-inbound: ") || !strings.Contains(s, "of Chrome 142 participants vs ") {
			t.Errorf("sentence %q", s)
		}
	}
}

// TestHealthyFleetClaimsNothing: findings spread evenly over the groups
// name no group, over many seeds.
func TestHealthyFleetClaimsNothing(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 3))
		people, tags := fleetOf(r, 800, healthy)
		if c := build(people, tags).View().StandOut; len(c) > 0 {
			t.Errorf("seed %d: healthy fleet, yet claimed %q", seed, c[0])
		}
	}
}

// TestSmallGroupIsNotWorst: a group of one person with a problem is not
// ranked above a large group that is clearly worse than the rest.
func TestSmallGroupIsNotWorst(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	people, tags := fleetOf(r, 300, func(p *Person) float64 {
		if p.Region == "eu-west" {
			return 0.3
		}
		return 0.03
	})
	people = append(people, []Person{{Groups: &Groups{Version: "Opera 120", Browser: "Opera", Region: "mars"}, Problem: true, Rules: 1}})
	tags = append(tags, nil)
	v := build(people, tags).View()
	regions := v.Dims[indexOf(v, "region")].Rows
	if regions[0].Value != "eu-west" {
		t.Errorf("worst region %q, want eu-west", regions[0].Value)
	}
	if last := regions[len(regions)-1]; last.Value != "mars" || !last.Small {
		t.Errorf("the group of one should be last and small, got %+v", last)
	}
	for _, c := range v.StandOut {
		if c.People < v.Rule.MinPeople {
			t.Errorf("claim on a group of %d: %q", c.People, c)
		}
	}
}

// TestImpliedRuleNotClaimed: relay-tcp on the relay tcp path is true by
// definition and never claimed.
func TestImpliedRuleNotClaimed(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	people, tags := fleetOf(r, 300, healthy)
	for i := range 60 {
		p := &people[i][0]
		g := *p.Groups
		g.Path = "relay tcp"
		p.Groups, p.Rules = &g, p.Rules|4
	}
	for _, c := range build(people, tags).View().StandOut {
		if c.Rule == "relay-tcp" && c.Dim == "path" {
			t.Errorf("claimed %q", c)
		}
	}
}

// TestOverlapExplainedAway: when every Android user runs Chrome 142 and
// Chrome 142 is impaired, Android is not named beside it; an Android
// impaired on its own (other versions too) still is.
func TestOverlapExplainedAway(t *testing.T) {
	for _, androidOwn := range []bool{false, true} {
		r := rand.New(rand.NewPCG(21, 5))
		people, tags := fleetOf(r, 500, func(p *Person) float64 {
			g := *p.Groups
			if r.IntN(4) == 0 {
				g.OS = "Android"
				if !androidOwn {
					g.Version, g.Browser = "Chrome 142", "Chrome"
				}
			}
			p.Groups = &g
			switch {
			case g.Version == "Chrome 142", androidOwn && g.OS == "Android":
				return 0.4
			}
			return 0.03
		})
		named := map[string]bool{}
		for _, c := range build(people, tags).View().StandOut {
			named[c.Dim+"="+c.Value] = true
		}
		if !named["version=Chrome 142"] {
			t.Errorf("android on its own %v: Chrome 142 not named: %v", androidOwn, named)
		}
		if named["os=Android"] != androidOwn {
			t.Errorf("android on its own %v: Android named %v, want %v (%v)", androidOwn, named["os=Android"], androidOwn, named)
		}
	}
}

package sim

// Tables the simulator draws plausible calls and people from.

var firstNames = []string{
	"Ada", "Amara", "Ben", "Carmen", "Chen", "Dmitri", "Elena", "Farah", "Gabriel", "Hana",
	"Ibrahim", "Ingrid", "Jamal", "Julia", "Kenji", "Lena", "Luis", "Maya", "Mateo", "Nadia",
	"Noah", "Olu", "Priya", "Quinn", "Rafael", "Sara", "Sofia", "Tariq", "Uma", "Victor",
	"Wei", "Yara", "Zoe", "Aditya", "Björn", "Chloé", "Diego", "Emeka", "Fatima", "Grace",
}

var lastInitials = "ABCDEFGHIJKLMNOPRSTVWYZ"

var roomWords = []string{
	"standup", "sales-demo", "support", "design-review", "all-hands", "1on1", "interview",
	"onboarding", "retro", "planning", "customer-sync", "office-hours", "incident", "training",
}

var teams = []string{"eng", "ops", "sales", "cs", "hr", "mkt", "data", "infra"}

// callRegions are the media server regions a call is hosted in.
var callRegions = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "sa-east-1"}

// peopleRegions are where participants connect from.
var peopleRegions = []string{"us-east", "us-west", "eu-west", "eu-central", "ap-south", "ap-southeast", "sa-east"}

var appVersions = []string{"4.12.3", "4.12.4", "4.13.0", "4.13.1"}

// userAgents are real-looking browser UA strings (Chrome, Firefox, Safari,
// Edge on desktop and mobile), roughly by market share.
var userAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 Firefox/145.0",
	"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:144.0) Gecko/20100101 Firefox/144.0",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Safari/605.1.15",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Mobile/15E148 Safari/604.1",
}

// mobileAgent reports whether userAgents[i] is a phone (no ethernet).
func mobileAgent(i int) bool { return i == 4 || i == 9 }

// networks are the access network kinds with their path baselines.
var networks = map[string]struct {
	rtt   [2]float64 // baseline round trip to the SFU, ms
	jit   [2]float64 // baseline inbound jitter, ms
	upBps [2]float64 // available uplink, bits per second
}{
	"wifi":     {[2]float64{25, 90}, [2]float64{3, 12}, [2]float64{2.5e6, 6e6}},
	"ethernet": {[2]float64{20, 60}, [2]float64{2, 6}, [2]float64{5e6, 1e7}},
	"cellular": {[2]float64{60, 115}, [2]float64{6, 14}, [2]float64{1.5e6, 3e6}},
}

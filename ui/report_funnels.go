package ui

import "clinic/ui/chart"

// reportFunnels are the report's funnel plots of reliable recovery (issue
// 13): by therapist and by team, from the period's figures the store added
// up in SQL for the report's scope (a supervisor's teams only). A plot of
// fewer than two therapists or teams compares nothing and is left out.
func reportFunnels(rep outcomeReport) ([]chart.Funnel, error) {
	var therapists, teams []chart.FunnelPoint
	for _, t := range rep.Therapists {
		therapists = append(therapists, funnelPoint(t.TherapistName, t.Rates.ReliablyRecovered, t.Rates.Finished-t.Rates.NotAtCaseness))
	}
	for _, t := range rep.Teams {
		teams = append(teams, funnelPoint(t.TeamName, t.Rates.ReliablyRecovered, t.Rates.Finished-t.Rates.NotAtCaseness))
	}
	var out []chart.Funnel
	for _, g := range []struct {
		id, of string
		pts    []chart.FunnelPoint
	}{{"chart-funnel-therapists", "therapist", therapists}, {"chart-funnel-teams", "team", teams}} {
		if len(g.pts) < 2 {
			continue
		}
		f, err := chart.NewFunnel(g.id, g.of, g.pts)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func funnelPoint(name string, x, n int) chart.FunnelPoint {
	return chart.FunnelPoint{Name: name, X: x, N: n}
}

"""Care-plan guards on the case lifecycle, registered when the app loads (issue 4: → active
needs an agreed plan with an active goal; strengths-based plans need strengths to be agreed)."""

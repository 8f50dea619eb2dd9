"""Check a deployment's dependencies and settings; exit 1 if any check fails."""

from django.core.management.base import BaseCommand, CommandError

from tidewire.doctor import run_checks


class Command(BaseCommand):
    help = "Check the database, Redis, channel layer, jobs, email, settings and clock."

    def handle(self, *args, **options):
        findings = run_checks()
        styles = {"ok": self.style.SUCCESS, "warn": self.style.WARNING, "fail": self.style.ERROR}
        for finding in findings:
            label = styles[finding.status](f"{finding.status.upper():<5}")
            self.stdout.write(f"{label} {finding.name:<14} {finding.detail}")
            if finding.fix and finding.status != "ok":
                self.stdout.write(f"{'':<6}{'':<14} fix: {finding.fix}")
        failed = [f.name for f in findings if f.status == "fail"]
        if failed:
            raise CommandError(f"{len(failed)} check(s) failed: {', '.join(failed)}")
        self.stdout.write(self.style.SUCCESS("All checks passed."))

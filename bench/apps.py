from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "bench"
    verbose_name = "Benchmarks (make bench only)"

    def ready(self) -> None:
        from bench import metrics

        metrics.install()

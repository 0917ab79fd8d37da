from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class CatalogConfig(AppConfig):
    name = "ventanilla.catalog"
    label = "catalog"

    def ready(self) -> None:
        # The portal keeps the catalogue a minute per process; a change saved here shows at once.
        from ventanilla.catalog.models import Agency, LifeEvent, PublicService
        from ventanilla.catalog.selectors import forget_catalogue

        for model in (Agency, LifeEvent, PublicService):
            post_save.connect(forget_catalogue, sender=model, dispatch_uid=f"catalogue-{model}")
            post_delete.connect(forget_catalogue, sender=model, dispatch_uid=f"catalogue-{model}")
        for through in (PublicService.life_events.through, PublicService.channels.through):
            m2m_changed.connect(
                forget_catalogue, sender=through, dispatch_uid=f"catalogue-{through}"
            )

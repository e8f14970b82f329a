
import requests_app.validators
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0010_art39_date'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='response',
            name='response_email_has_address',
        ),
        migrations.AddField(
            model_name='agentproofrule',
            name='holder',
            field=models.CharField(blank=True, choices=[('data_subject', 'Data subject'), ('agent', 'Agent')], help_text="Empty: either. A seal registration certificate proves the data subject's seal.", max_length=16, verbose_name='whose document'),
        ),
        migrations.AddField(
            model_name='deskpolicy',
            name='agent_id_documents',
            field=models.JSONField(blank=True, default=list, help_text='None ticked: the same as for the data subject.', verbose_name='accepted identity documents of agents'),
        ),
        migrations.AddField(
            model_name='deskpolicy',
            name='certificate_max_age_months',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Resident register, family register, seal and guardianship certificates: 3 or 6. Empty: any date.', null=True, verbose_name='certificates issued within (months)'),
        ),
        migrations.AddField(
            model_name='deskpolicy',
            name='deadline_counts_from',
            field=models.CharField(choices=[('complete', 'The day the request is complete (form, ID, fee)'), ('receipt', 'The day the request reached us')], default='complete', max_length=16, verbose_name='deadline counts from'),
        ),
        migrations.AddField(
            model_name='deskpolicy',
            name='fee_basis',
            field=models.CharField(choices=[('per_item', 'Per item requested'), ('per_application', 'Per application (once, whatever the number of items)')], default='per_item', max_length=16, verbose_name='fee charged'),
        ),
        migrations.AddField(
            model_name='deskpolicy',
            name='self_service_kinds',
            field=models.JSONField(blank=True, default=list, help_text='Only these may be answered "resolved by self-service" (e.g. My Page).', verbose_name='kinds the self-service covers'),
        ),
        migrations.AddField(
            model_name='deskpolicy',
            name='subject_id_for_agents',
            field=models.BooleanField(default=False, verbose_name="agent requests also need the data subject's ID"),
        ),
        migrations.AddField(
            model_name='historicalagentproofrule',
            name='holder',
            field=models.CharField(blank=True, choices=[('data_subject', 'Data subject'), ('agent', 'Agent')], help_text="Empty: either. A seal registration certificate proves the data subject's seal.", max_length=16, verbose_name='whose document'),
        ),
        migrations.AddField(
            model_name='historicaldeskpolicy',
            name='agent_id_documents',
            field=models.JSONField(blank=True, default=list, help_text='None ticked: the same as for the data subject.', verbose_name='accepted identity documents of agents'),
        ),
        migrations.AddField(
            model_name='historicaldeskpolicy',
            name='certificate_max_age_months',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Resident register, family register, seal and guardianship certificates: 3 or 6. Empty: any date.', null=True, verbose_name='certificates issued within (months)'),
        ),
        migrations.AddField(
            model_name='historicaldeskpolicy',
            name='deadline_counts_from',
            field=models.CharField(choices=[('complete', 'The day the request is complete (form, ID, fee)'), ('receipt', 'The day the request reached us')], default='complete', max_length=16, verbose_name='deadline counts from'),
        ),
        migrations.AddField(
            model_name='historicaldeskpolicy',
            name='fee_basis',
            field=models.CharField(choices=[('per_item', 'Per item requested'), ('per_application', 'Per application (once, whatever the number of items)')], default='per_item', max_length=16, verbose_name='fee charged'),
        ),
        migrations.AddField(
            model_name='historicaldeskpolicy',
            name='self_service_kinds',
            field=models.JSONField(blank=True, default=list, help_text='Only these may be answered "resolved by self-service" (e.g. My Page).', verbose_name='kinds the self-service covers'),
        ),
        migrations.AddField(
            model_name='historicaldeskpolicy',
            name='subject_id_for_agents',
            field=models.BooleanField(default=False, verbose_name="agent requests also need the data subject's ID"),
        ),
        migrations.AddField(
            model_name='historicalidentitydocument',
            name='valid_until',
            field=models.DateField(blank=True, null=True, verbose_name='valid until'),
        ),
        migrations.AddField(
            model_name='historicalrequest',
            name='channel_override_reason',
            field=models.TextField(blank=True, help_text="Only when the desk's policy does not list the channel.", validators=[requests_app.validators.reject_individual_number], verbose_name='why this channel was accepted'),
        ),
        migrations.AddField(
            model_name='historicalrequest',
            name='form_disposal_due_on',
            field=models.DateField(blank=True, db_index=True, editable=False, null=True, verbose_name='form to be disposed of on'),
        ),
        migrations.AddField(
            model_name='historicalrequest',
            name='form_disposal_method',
            field=models.CharField(blank=True, choices=[('shredded', 'Shredded'), ('dissolved', 'Dissolved (contracted disposal)'), ('returned', 'Returned to the sender'), ('file_deleted', 'Electronic copy deleted')], editable=False, max_length=16, verbose_name='form disposal method'),
        ),
        migrations.AddField(
            model_name='historicalrequest',
            name='form_disposed_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='form disposed of on'),
        ),
        migrations.AddField(
            model_name='historicalresponse',
            name='method_override_reason',
            field=models.TextField(blank=True, help_text="Only when the desk's policy does not offer the method.", validators=[requests_app.validators.reject_individual_number], verbose_name='why this method was used'),
        ),
        migrations.AddField(
            model_name='identitydocument',
            name='valid_until',
            field=models.DateField(blank=True, null=True, verbose_name='valid until'),
        ),
        migrations.AddField(
            model_name='request',
            name='channel_override_reason',
            field=models.TextField(blank=True, help_text="Only when the desk's policy does not list the channel.", validators=[requests_app.validators.reject_individual_number], verbose_name='why this channel was accepted'),
        ),
        migrations.AddField(
            model_name='request',
            name='form_disposal_due_on',
            field=models.DateField(blank=True, db_index=True, editable=False, null=True, verbose_name='form to be disposed of on'),
        ),
        migrations.AddField(
            model_name='request',
            name='form_disposal_method',
            field=models.CharField(blank=True, choices=[('shredded', 'Shredded'), ('dissolved', 'Dissolved (contracted disposal)'), ('returned', 'Returned to the sender'), ('file_deleted', 'Electronic copy deleted')], editable=False, max_length=16, verbose_name='form disposal method'),
        ),
        migrations.AddField(
            model_name='request',
            name='form_disposed_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='form disposed of on'),
        ),
        migrations.AddField(
            model_name='response',
            name='method_override_reason',
            field=models.TextField(blank=True, help_text="Only when the desk's policy does not offer the method.", validators=[requests_app.validators.reject_individual_number], verbose_name='why this method was used'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='ground',
            field=models.CharField(blank=True, choices=[('harm_to_person', 'Art. 33-2 (i): likely harm to life, body, property or rights'), ('business_interference', 'Art. 33-2 (ii): serious interference with the business'), ('other_law', 'Art. 33-2 (iii): would violate another law'), ('disclosed_under_other_law', 'Art. 33-4: another law provides for disclosing this data'), ('purpose_already_clear', 'Art. 32-2: the purpose is already clear from the notice'), ('art21_4_i', 'Art. 21-4 (i): harm to the person or a third party'), ('art21_4_ii', "Art. 21-4 (ii): harm to the business's rights or interests"), ('art21_4_iii', 'Art. 21-4 (iii): cooperation with state bodies'), ('beyond_purpose', 'Art. 35-1: used beyond the purpose (Art. 18)'), ('improper_use', 'Art. 35-1: improper use (Art. 19)'), ('improper_acquisition', 'Art. 35-1: improperly acquired (Art. 20)'), ('unlawful_provision', 'Art. 35-3: provided unlawfully (Art. 27-1 / 28)'), ('no_longer_needed', 'Art. 35-5: no longer needed for our use'), ('leak_occurred', 'Art. 35-5: a leak or similar incident occurred'), ('harm_to_rights', "Art. 35-5: likely harm to the person's rights or interests"), ('voluntary', "No legal obligation: done at the person's wish"), ('not_inaccurate', 'Art. 34: the content was found to be accurate'), ('correction_other_procedure', 'Art. 34-1: another law provides its own procedure for this correction'), ('correction_not_needed', 'Art. 34-2: not needed to achieve the purpose of use'), ('no_statutory_ground', 'Art. 35: no statutory ground for suspension found'), ('excessive_cost', 'Art. 35-2/4/6 proviso: large cost or other difficulty — alternative measure')], max_length=32, verbose_name='ground'),
        ),
        migrations.AlterField(
            model_name='deskpolicy',
            name='reply_to',
            field=models.CharField(choices=[('form_address', 'Address on the request form'), ('registered_address', "Data subject's registered address"), ('id_document_address', 'Address on the identity document')], default='form_address', max_length=32, verbose_name='reply address'),
        ),
        migrations.AlterField(
            model_name='historicaldecision',
            name='ground',
            field=models.CharField(blank=True, choices=[('harm_to_person', 'Art. 33-2 (i): likely harm to life, body, property or rights'), ('business_interference', 'Art. 33-2 (ii): serious interference with the business'), ('other_law', 'Art. 33-2 (iii): would violate another law'), ('disclosed_under_other_law', 'Art. 33-4: another law provides for disclosing this data'), ('purpose_already_clear', 'Art. 32-2: the purpose is already clear from the notice'), ('art21_4_i', 'Art. 21-4 (i): harm to the person or a third party'), ('art21_4_ii', "Art. 21-4 (ii): harm to the business's rights or interests"), ('art21_4_iii', 'Art. 21-4 (iii): cooperation with state bodies'), ('beyond_purpose', 'Art. 35-1: used beyond the purpose (Art. 18)'), ('improper_use', 'Art. 35-1: improper use (Art. 19)'), ('improper_acquisition', 'Art. 35-1: improperly acquired (Art. 20)'), ('unlawful_provision', 'Art. 35-3: provided unlawfully (Art. 27-1 / 28)'), ('no_longer_needed', 'Art. 35-5: no longer needed for our use'), ('leak_occurred', 'Art. 35-5: a leak or similar incident occurred'), ('harm_to_rights', "Art. 35-5: likely harm to the person's rights or interests"), ('voluntary', "No legal obligation: done at the person's wish"), ('not_inaccurate', 'Art. 34: the content was found to be accurate'), ('correction_other_procedure', 'Art. 34-1: another law provides its own procedure for this correction'), ('correction_not_needed', 'Art. 34-2: not needed to achieve the purpose of use'), ('no_statutory_ground', 'Art. 35: no statutory ground for suspension found'), ('excessive_cost', 'Art. 35-2/4/6 proviso: large cost or other difficulty — alternative measure')], max_length=32, verbose_name='ground'),
        ),
        migrations.AlterField(
            model_name='historicaldeskpolicy',
            name='reply_to',
            field=models.CharField(choices=[('form_address', 'Address on the request form'), ('registered_address', "Data subject's registered address"), ('id_document_address', 'Address on the identity document')], default='form_address', max_length=32, verbose_name='reply address'),
        ),
        migrations.AlterField(
            model_name='historicalidentitydocument',
            name='kind',
            field=models.CharField(choices=[('drivers_license', "Driver's license"), ('my_number_card_front', 'My Number card (front only)'), ('passport', 'Passport'), ('residence_card', 'Residence card'), ('health_insurance_card', 'Health insurance card (until 2025-12-01)'), ('eligibility_certificate', 'Health insurance eligibility certificate (資格確認書)'), ('special_permanent_resident_certificate', 'Special permanent resident certificate'), ('pension_book', 'Pension book'), ('resident_register_copy', 'Certified copy of the resident register'), ('family_register_extract', 'Family register extract'), ('power_of_attorney', 'Power of attorney'), ('seal_registration_certificate', 'Seal registration certificate'), ('guardianship_certificate', 'Guardianship registration certificate'), ('other', 'Other')], max_length=40, verbose_name='document'),
        ),
        migrations.AlterField(
            model_name='historicalorganization',
            name='year_end_closure',
            field=models.BooleanField(blank=True, default=None, help_text="Empty: the country's custom — closed in Japan, open elsewhere.", null=True, verbose_name='closed Dec 29 – Jan 3'),
        ),
        migrations.AlterField(
            model_name='historicalpayment',
            name='method',
            field=models.CharField(choices=[('postal_money_order', 'Postal money order'), ('postage_stamps', 'Postage stamps'), ('bank_transfer', 'Bank transfer'), ('cash', 'Cash')], max_length=32, verbose_name='method'),
        ),
        migrations.AlterField(
            model_name='historicalrequest',
            name='reply_to',
            field=models.CharField(choices=[('form_address', 'Address on the request form'), ('registered_address', "Data subject's registered address"), ('id_document_address', 'Address on the identity document')], default='form_address', max_length=32, verbose_name='reply address'),
        ),
        migrations.AlterField(
            model_name='identitydocument',
            name='kind',
            field=models.CharField(choices=[('drivers_license', "Driver's license"), ('my_number_card_front', 'My Number card (front only)'), ('passport', 'Passport'), ('residence_card', 'Residence card'), ('health_insurance_card', 'Health insurance card (until 2025-12-01)'), ('eligibility_certificate', 'Health insurance eligibility certificate (資格確認書)'), ('special_permanent_resident_certificate', 'Special permanent resident certificate'), ('pension_book', 'Pension book'), ('resident_register_copy', 'Certified copy of the resident register'), ('family_register_extract', 'Family register extract'), ('power_of_attorney', 'Power of attorney'), ('seal_registration_certificate', 'Seal registration certificate'), ('guardianship_certificate', 'Guardianship registration certificate'), ('other', 'Other')], max_length=40, verbose_name='document'),
        ),
        migrations.AlterField(
            model_name='organization',
            name='year_end_closure',
            field=models.BooleanField(blank=True, default=None, help_text="Empty: the country's custom — closed in Japan, open elsewhere.", null=True, verbose_name='closed Dec 29 – Jan 3'),
        ),
        migrations.AlterField(
            model_name='payment',
            name='method',
            field=models.CharField(choices=[('postal_money_order', 'Postal money order'), ('postage_stamps', 'Postage stamps'), ('bank_transfer', 'Bank transfer'), ('cash', 'Cash')], max_length=32, verbose_name='method'),
        ),
        migrations.AlterField(
            model_name='reminderlog',
            name='kind',
            field=models.CharField(choices=[('overdue', 'Overdue'), ('due_today', 'Due today'), ('due_in_1', 'Due in 1 business day'), ('due_in_3', 'Due in 3 business days'), ('art39', 'Two weeks since it reached us, unanswered (Art. 39)'), ('acknowledgement_due', 'Acknowledgement due'), ('verification_long', 'Verification pending too long'), ('disposal_due', 'ID copies to dispose of'), ('form_disposal_due', 'Request form to dispose of'), ('waiting_long', 'Waiting for the requester too long'), ('fee_waiting_long', 'Waiting for the fee too long')], max_length=32, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='request',
            name='reply_to',
            field=models.CharField(choices=[('form_address', 'Address on the request form'), ('registered_address', "Data subject's registered address"), ('id_document_address', 'Address on the identity document')], default='form_address', max_length=32, verbose_name='reply address'),
        ),
        migrations.AddConstraint(
            model_name='response',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('method', 'email'), _negated=True), models.Q(('email', ''), _negated=True), ('text_sent', '（消去済）'), _connector='OR'), name='response_email_has_address'),
        ),
    ]
